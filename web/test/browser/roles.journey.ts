/** The journeys of each role and of a second session: conflict, viewer, admin, no role, sign-out. */
import { expect } from 'vitest';
import { accessTokenOf, newContext, screenshot, signIn } from './browser.ts';
import {
  api,
  appUrl,
  createTask,
  expectAccessible,
  journey,
  passwordToken,
  theBrowser,
} from './journey-kit.ts';

export async function conflictJourney() {
  await journey('conflict', async (open) => {
    const first = await open('bob');
    const task = await createTask(await accessTokenOf(first), 'Plan the offsite');
    await first.goto(`${appUrl()}/app/tasks/${task.id}`);
    await first.getByLabel('Title').fill('Plan the offsite in May');

    // A second session (another tab of bob's) saves first.
    const { context: otherContext } = await newContext(theBrowser(), appUrl());
    const second = await signIn(otherContext, appUrl(), 'bob');
    await second.goto(`${appUrl()}/app/tasks/${task.id}`);
    await second.getByLabel('Description').fill('Budget: 2,000 EUR');
    await second.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => second.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await otherContext.close();

    await first.getByRole('button', { name: 'Save' }).click();
    const dialog = first.getByRole('alertdialog');
    await dialog.getByText('Someone else changed this task').waitFor();
    await dialog.getByText('Budget: 2,000 EUR').waitFor();
    await expectAccessible(first, 'conflict dialog');
    await screenshot(first, 'conflict');
    await dialog.getByRole('button', { name: 'Keep mine' }).click();
    await first.getByRole('heading', { name: 'Plan the offsite in May' }).waitFor();
    const saved = (await (await api(await accessTokenOf(first), 'GET', `/tasks/${task.id}`)).json()) as {
      title: string;
      description: string;
      version: number;
    };
    expect(saved).toMatchObject({
      title: 'Plan the offsite in May',
      description: 'Budget: 2,000 EUR',
      version: 3,
    });
  });
}

export async function carolJourney() {
  const bobs = await createTask(await passwordToken('bob'), 'Bob’s visible task');
  await journey('carol', async (open) => {
    const page = await open('carol');
    await page.getByRole('heading', { name: 'All tasks' }).waitFor();
    await page.getByRole('link', { name: /Bob’s visible task/ }).waitFor();
    expect(await page.locator('#quick-add').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'More fields…' }).count()).toBe(0);
    await expectAccessible(page, 'list (viewer)');
    await screenshot(page, 'carol-list');
    await page.getByRole('link', { name: /Bob’s visible task/ }).click();
    await page.getByRole('heading', { name: 'Bob’s visible task' }).waitFor();
    expect(
      await page
        .getByRole('button')
        .filter({ hasText: /Save|Delete/ })
        .count(),
    ).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.getByRole('link', { name: 'Board' }).click();
    await page.locator('ul[data-status="todo"]').getByText('Bob’s visible task').waitFor();
    expect(await page.locator('.drag-handle, .card-moves').count()).toBe(0);
    await expectAccessible(page, 'board (viewer)');

    const token = await accessTokenOf(page);
    expect((await api(token, 'POST', '/tasks', { title: 'not allowed' })).status).toBe(403);
    expect((await api(token, 'DELETE', `/tasks/${bobs.id}`)).status).toBe(403);
  });
}

export async function aliceJourney() {
  const daves = await createTask(await passwordToken('dave'), 'Dave’s task');
  const bobs = await createTask(await passwordToken('bob'), 'Bob’s task for alice');
  await journey('alice', async (open) => {
    const page = await open('alice');
    await page.getByRole('link', { name: /Dave’s task/ }).waitFor();
    await page.getByRole('link', { name: /Bob’s task for alice/ }).waitFor();
    // Owners by name (GET /users), in the rows and in the filter.
    await page
      .locator('.task-row', { hasText: 'Dave’s task' })
      .locator('.owner', { hasText: 'dave' })
      .waitFor();
    await page.locator('select#owner').selectOption({ label: 'bob' });
    await page.waitForURL((url) => url.searchParams.get('owner') === bobs.owner_id);
    await expect.poll(() => page.getByRole('link', { name: /Dave’s task/ }).count()).toBe(0);
    await page.getByRole('link', { name: /Bob’s task for alice/ }).waitFor();
    expect(daves.owner_id).not.toBe(bobs.owner_id);
    await expectAccessible(page, 'list (admin, filtered)');
    await screenshot(page, 'alice-filtered');
    // The view is in the URL: opened afresh, it shows the same.
    await page.goto(page.url());
    await page.getByRole('link', { name: /Bob’s task for alice/ }).waitFor();
    expect(await page.getByRole('link', { name: /Dave’s task/ }).count()).toBe(0);
  });
}

export async function erinJourney() {
  await journey('erin', async (open) => {
    const page = await open('erin');
    await page.getByRole('heading', { name: 'No access to tasks yet' }).waitFor();
    await page.getByText('has no role in Tasks').waitFor();
    await expectAccessible(page, 'no-role page');
    await screenshot(page, 'erin-no-role');
  });
}

export async function signOutJourney() {
  await journey(
    'signout',
    async (open) => {
      const page = await open('bob');
      await page.getByRole('heading', { name: 'My tasks' }).waitFor();
      await page.getByRole('link', { name: /Plan the offsite/ }).waitFor();
      await expectAccessible(page, 'list (375 px, dark)');
      await screenshot(page, 'bob-mobile-dark');
      // A row with a priority, an Overdue tag and a due date still shows its whole (short) title.
      const overdueRow = page.getByRole('link', { name: /Pay the invoice/ });
      await overdueRow.scrollIntoViewIfNeeded();
      const title = overdueRow.locator('.task-title');
      expect(await title.evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);
      expect(await overdueRow.getByText('Overdue').isVisible()).toBe(true);
      const token = await accessTokenOf(page);
      expect((await api(token, 'GET', '/tasks')).status).toBe(200);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await expectAccessible(page, 'signed-out page');
      await screenshot(page, 'signed-out');
      await expect.poll(async () => (await api(token, 'GET', '/tasks')).status, { timeout: 5_000 }).toBe(401);
    },
    { width: 375, height: 812, colorScheme: 'dark' },
  );
}
