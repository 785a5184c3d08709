/** bob, a user, through every write of the app: quick add, the full form, edit, the board, delete. */
import { expect } from 'vitest';
import { accessTokenOf, screenshot } from './browser.ts';
import { api, expectAccessible, journey } from './journey-kit.ts';

export const bobJourney = () =>
  journey('bob', async (open) => {
    const page = await open('bob');
    await expect.poll(() => page.getByRole('heading', { name: 'My tasks' }).isVisible()).toBe(true);

    // Quick add: n focuses the field, Enter creates.
    await page.keyboard.press('n');
    await page.keyboard.type('Buy milk');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /Buy milk/ }).waitFor();
    await expect.poll(() => page.locator('#quick-add').inputValue()).toBe('');
    await expectAccessible(page, 'list');
    await screenshot(page, 'bob-list');

    // The full form. Its view loads on first use, and until it shows, the list is still on screen,
    // with the quick-add field labelled "New task title": a fill before the heading went there.
    await page.getByRole('link', { name: 'More fields…' }).click();
    await page.getByRole('heading', { name: 'New task', exact: true }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Write the quarterly report');
    await page.getByLabel('Description').fill('Sections:\n1. Numbers\n2. Plans');
    await page.getByLabel('Status').selectOption('in_progress');
    await expectAccessible(page, 'new task');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: 'Write the quarterly report' }).waitFor();

    // Edit: title and multi-line description.
    await page.getByLabel('Title', { exact: true }).fill('Write the Q3 report');
    await page.getByLabel('Description').fill('Sections:\n1. Numbers\n2. Plans\n3. Risks');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Write the Q3 report' }).waitFor();
    await expectAccessible(page, 'task');
    await screenshot(page, 'bob-task');

    // The board: drag "Buy milk" from To do to Done; the PATCH is sent with If-Match.
    await page.getByRole('link', { name: 'Board' }).click();
    const todo = page.locator('ul[data-status="todo"]');
    const done = page.locator('ul[data-status="done"]');
    await todo.getByText('Buy milk').waitFor();
    const patch = page.waitForRequest((request) => request.method() === 'PATCH');
    const handle = todo.locator('li', { hasText: 'Buy milk' }).locator('.drag-handle');
    const box = await handle.boundingBox();
    const target = await page.locator('section[aria-labelledby="column-done"]').boundingBox();
    if (!box || !target) throw new Error('board not laid out');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 40, box.y + 10, { steps: 5 });
    await page.mouse.move(target.x + target.width / 2, target.y + 80, { steps: 10 });
    await page.mouse.up();
    expect((await patch).headers()['if-match']).toBe('"1"');
    await done.getByText('Buy milk').waitFor();
    await expectAccessible(page, 'board');
    await screenshot(page, 'bob-board');

    // Delete, after confirming.
    await done.getByRole('link', { name: 'Buy milk' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').waitFor();
    await expectAccessible(page, 'delete dialog');
    await page.getByRole('button', { name: 'Delete task' }).click();
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /Buy milk/ }).count()).toBe(0);
    const token = await accessTokenOf(page);
    const { items } = (await (await api(token, 'GET', '/tasks')).json()) as {
      items: { title: string }[];
    };
    expect(items.map((task) => task.title)).toEqual(['Write the Q3 report']);
  });
