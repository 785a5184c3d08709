/**
 * bob plans: a due date in the past, a priority and labels on a new task,
 * changed again on its page (a bad due date refused by the server on its
 * field); the list and the board show the plan and mark the task overdue.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { accessTokenOf, screenshot } from './browser.ts';
import { api, expectAccessible, journey } from './journey-kit.ts';

interface SavedTask {
  id: string;
  due_at: string | null;
  priority: string;
  labels: string[];
  completed_at: string | null;
}

/** A local day of the browser's, `offset` days from today, as a date input takes it. */
const localDay = (page: Page, offset: number) =>
  page.evaluate((days) => {
    const day = new Date();
    day.setDate(day.getDate() + days);
    return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
  }, offset);

async function pickPriority(page: Page, name: string) {
  await page.getByRole('button', { name: /Priority/ }).click();
  await page.getByRole('option', { name }).click();
}

async function savedTask(page: Page, id: string): Promise<SavedTask> {
  return (await (await api(await accessTokenOf(page), 'GET', `/tasks/${id}`)).json()) as SavedTask;
}

/** The titles of the list's rows, in order. */
const rowTitles = (page: Page) => page.locator('.task-row .task-title').allTextContents();

/** The list filtered by labels (all must match), overdue and priority, and sorted by due date, all in the URL. */
async function filterAndSort(page: Page) {
  const dueTomorrow = await page.evaluate(() => {
    const day = new Date();
    day.setDate(day.getDate() + 1);
    day.setHours(23, 59, 59, 999);
    return day.toISOString();
  });
  const later = await api(await accessTokenOf(page), 'POST', '/tasks', {
    title: 'Book the train',
    due_at: dueTomorrow,
    labels: ['Finance', 'travel'],
  });
  expect(later.status).toBe(201);
  await page.reload();

  const labelFilter = page.getByLabel('Labels (all of)');
  await labelFilter.fill('finance');
  await labelFilter.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('label') === 'finance');
  await expect
    .poll(() => rowTitles(page))
    .toEqual(['Book the train', 'File the receipts', 'Pay the invoice']);
  await labelFilter.fill('q4');
  await labelFilter.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('label') === 'finance,q4');
  await expect.poll(() => rowTitles(page)).toEqual(['Pay the invoice']);
  await page.getByRole('button', { name: 'Remove the label filter q4' }).click();
  await expect.poll(() => rowTitles(page)).toHaveLength(3);

  // Overdue: the done task due yesterday is not; the one due tomorrow is not yet.
  await page.getByRole('checkbox', { name: 'Overdue' }).check();
  await page.waitForURL((url) => url.searchParams.get('overdue') === 'true');
  await expect.poll(() => rowTitles(page)).toEqual(['Pay the invoice']);
  await page.getByRole('checkbox', { name: 'Overdue' }).uncheck();
  await page.getByRole('checkbox', { name: 'High' }).check();
  await page.waitForURL((url) => url.searchParams.get('priority') === 'high');
  await expect.poll(() => rowTitles(page)).toEqual(['Pay the invoice']);
  await page.getByRole('checkbox', { name: 'High' }).uncheck();

  // Due soonest: yesterday at 9:30, yesterday (the whole day), tomorrow; tasks without a due date last.
  await page.getByLabel('Sort').selectOption({ label: 'Due soonest' });
  await page.waitForURL((url) => url.searchParams.get('sort') === 'due_at');
  const dueFirst = ['Pay the invoice', 'File the receipts', 'Book the train'];
  await expect.poll(() => rowTitles(page)).toEqual(dueFirst);
  await labelFilter.press('Backspace');
  await page.waitForURL((url) => !url.searchParams.has('label'));
  await expect.poll(async () => (await rowTitles(page)).slice(0, 3)).toEqual(dueFirst);
  expect((await rowTitles(page)).length).toBeGreaterThan(3);
  await screenshot(page, 'planning-sorted');

  // The view is the URL: opened afresh, the same filters, sort and rows.
  await labelFilter.fill('finance');
  await labelFilter.press('Enter');
  await page.getByRole('checkbox', { name: 'Overdue' }).check();
  await page.waitForURL((url) => url.search === '?label=finance&overdue=true&sort=due_at');
  await page.goto(page.url());
  await expect.poll(() => rowTitles(page)).toEqual(['Pay the invoice']);
  expect(await page.getByRole('checkbox', { name: 'Overdue' }).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Remove the label filter finance' }).waitFor();
  await expectAccessible(page, 'list filtered by label and overdue, sorted by due date');
  await screenshot(page, 'planning-filtered');
}

export const planningJourney = () =>
  journey('planning', async (open) => {
    const page = await open('bob');
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();

    // A new task, due yesterday, urgent, with two labels: one added with Enter, one ended by a comma.
    await page.getByRole('link', { name: 'More fields…' }).click();
    await page.getByRole('heading', { name: 'New task', exact: true }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Pay the invoice');
    const yesterday = await localDay(page, -1);
    await page.getByLabel('Date', { exact: true }).fill(yesterday);
    await pickPriority(page, 'Urgent');
    const addLabel = page.getByRole('combobox', { name: 'Add a label' });
    await addLabel.fill('finance');
    await addLabel.press('Enter');
    await addLabel.pressSequentially('work,');
    await page.getByRole('row', { name: 'work' }).waitFor();
    expect(await addLabel.inputValue()).toBe('');
    // A repeat in another case is not added twice; the field says why.
    await addLabel.fill('Finance');
    await addLabel.press('Enter');
    await page.getByText('“Finance” is already there (labels are the same in any case).').waitFor();
    await expectAccessible(page, 'new task with a plan');
    await screenshot(page, 'planning-new');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: 'Pay the invoice' }).waitFor();

    const id = page.url().split('/').at(-1) ?? '';
    const created = await savedTask(page, id);
    expect(created).toMatchObject({ priority: 'urgent', labels: ['finance', 'work'], completed_at: null });
    const due = await page.evaluate((iso) => {
      const date = new Date(iso);
      return [date.getDate(), date.getHours(), date.getMinutes()];
    }, created.due_at ?? '');
    expect(due).toEqual([Number(yesterday.slice(8)), 23, 59]);
    const facts = page.locator('dl.facts');
    await facts.getByText('Overdue').waitFor();
    await facts.getByText('Yesterday').waitFor();

    // A due date past what the API stores (the year 10000): said on the field as it is typed,
    // and still in those words once the server has refused the save; nothing is stored.
    const dueBefore = (await savedTask(page, id)).due_at;
    await page.getByLabel('Date', { exact: true }).fill('10000-01-01');
    const dueError = page.locator('#edit-due-error');
    await expect.poll(() => dueError.textContent()).toBe('Enter a date up to the year 9999.');
    const refused = page.waitForResponse(
      (response) => response.request().method() !== 'GET' && response.url().endsWith(`/tasks/${id}`),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await refused).status()).toBe(422);
    expect(await dueError.textContent()).toBe('Enter a date up to the year 9999.');
    expect(await page.getByLabel('Date', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect((await savedTask(page, id)).due_at).toBe(dueBefore);
    await expectAccessible(page, 'task with a refused due date');
    await screenshot(page, 'planning-refused-due');

    // Back to yesterday, at 9:30; high instead of urgent; "work" removed, "q4" added.
    await page.getByLabel('Date', { exact: true }).fill(yesterday);
    await page.getByLabel('Time (optional)').fill('09:30');
    await pickPriority(page, 'High');
    await page.getByRole('button', { name: 'Remove work' }).click();
    await addLabel.fill('q4');
    await addLabel.press('Enter');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect(await dueError.textContent()).toBe('');
    const edited = await savedTask(page, id);
    expect(edited).toMatchObject({ priority: 'high', labels: ['finance', 'q4'] });
    await facts.getByText(/Yesterday, 0?9:30/).waitFor();
    await expectAccessible(page, 'task with a plan');
    await screenshot(page, 'planning-task');

    // A done task shows when it was completed, and is not overdue.
    const token = await accessTokenOf(page);
    const doneOne = await api(token, 'POST', '/tasks', {
      title: 'File the receipts',
      status: 'done',
      due_at: created.due_at,
      labels: ['finance'],
    });
    expect(doneOne.status).toBe(201);
    const done = (await doneOne.json()) as SavedTask;
    expect(done.completed_at).not.toBeNull();
    await page.goto(page.url().replace(id, done.id));
    await page.getByRole('heading', { name: 'File the receipts' }).waitFor();
    await facts.getByText('Completed').waitFor();
    expect(await facts.getByText('Overdue').count()).toBe(0);

    // The list: the overdue task says so in words, with its priority and labels.
    await page.getByRole('link', { name: 'List' }).click();
    const row = page.locator('.task-row', { hasText: 'Pay the invoice' });
    await row.getByText('Overdue').waitFor();
    await row.locator('.label-chip', { hasText: 'q4' }).waitFor();
    await page.getByRole('link', { name: /Pay the invoice.*Priority: High.*Overdue/ }).waitFor();
    expect(
      await page.locator('.task-row', { hasText: 'File the receipts' }).getByText('Overdue').count(),
    ).toBe(0);
    await expectAccessible(page, 'list with plans');
    await screenshot(page, 'planning-list');
    await filterAndSort(page);

    // The board's card too.
    await page.getByRole('link', { name: 'Board' }).click();
    const card = page.locator('.board-card', { hasText: 'Pay the invoice' });
    await card.getByText('Overdue').waitFor();
    await card.getByText('High').waitFor();
    await expectAccessible(page, 'board with plans');
    await screenshot(page, 'planning-board');
  });
