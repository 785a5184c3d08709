/**
 * Live updates between browsers: bob's board and alice's list follow what
 * bob's second session does (create, move, delete) without reloading; a
 * long history reads a page at a time. A dropped stream resuming is in
 * resilience.journey.ts (the API restarted).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot } from './browser.ts';
import { api, appUrl, createTask, expectAccessible, journey, passwordToken } from './journey-kit.ts';

const live = (page: Page) => page.locator('.live-indicator', { hasText: 'Live' }).waitFor();
const column = (page: Page, status: string) => page.locator(`ul[data-status="${status}"]`);

export const liveJourney = () =>
  journey('live', async (open) => {
    const board = await open('bob');
    await board.goto(`${appUrl()}/app/board`);
    await board.getByRole('heading', { name: 'Board' }).waitFor();
    await live(board);
    const admin = await open('alice', { separateProfile: true });
    await admin.getByRole('heading', { name: 'All tasks' }).waitFor();
    await live(admin);
    const actor = await open('bob', { separateProfile: true });
    await actor.getByRole('heading', { name: 'My tasks' }).waitFor();

    // Created in one session: on the other's board and in the admin's list, no reload.
    // A mark on the page that a reload would wipe.
    await board.evaluate(() => Object.assign(window, { notReloaded: true }));
    await actor.locator('#quick-add').fill('Water the plants');
    await actor.keyboard.press('Enter');
    await column(board, 'todo').getByText('Water the plants').waitFor();
    await admin
      .locator('.task-row', { hasText: 'Water the plants' })
      .locator('.owner', { hasText: 'bob' })
      .waitFor();
    expect(await board.evaluate(() => 'notReloaded' in window)).toBe(true);
    await expectAccessible(board, 'board (live)');
    await screenshot(admin, 'live-admin-list');

    // Moved in one session: the card changes column on the other board.
    await actor.getByRole('link', { name: 'Board' }).click();
    const card = column(actor, 'todo').locator('li', { hasText: 'Water the plants' });
    await card.getByRole('button', { name: 'In progress' }).click();
    await column(board, 'in_progress').getByText('Water the plants').waitFor();
    await expect.poll(() => column(board, 'todo').getByText('Water the plants').count()).toBe(0);
    await screenshot(board, 'live-board');

    await column(actor, 'in_progress')
      .locator('li', { hasText: 'Water the plants' })
      .getByRole('button', { name: 'Done' })
      .click();
    await column(board, 'done').getByText('Water the plants').waitFor();

    // The task's history, as alice reads it: who changed what, newest first.
    await admin.getByRole('link', { name: /Water the plants/ }).click();
    await admin.getByRole('heading', { name: 'History' }).waitFor();
    const entries = admin.locator('.history-entries > li');
    await expect.poll(() => entries.count()).toBe(3);
    // innerText puts the head's parts (a wrapping flex row: who, what, when) on lines of their own.
    const [moved, started, created] = await entries.allInnerTexts();
    expect(moved).toMatch(/^bob\s+changed[\s\S]*Status\s+In progress\s+→\s+changed to\s+Done$/);
    expect(started).toMatch(/^bob\s+changed[\s\S]*Status\s+To do\s+→\s+changed to\s+In progress$/);
    expect(created).toMatch(/^bob\s+created the task[\s\S]*Title\s+Water the plants/);
    await expectAccessible(admin, 'task history');
    await screenshot(admin, 'live-history');

    // Deleted in one session: gone from the board, and the admin's open task page says so.
    await column(actor, 'done').getByRole('link', { name: 'Water the plants' }).click();
    await actor.getByRole('button', { name: 'Delete' }).click();
    await actor.getByRole('button', { name: 'Delete task' }).click();
    await actor.getByRole('heading', { name: 'My tasks' }).waitFor();
    await expect.poll(() => board.getByText('Water the plants').count()).toBe(0);
    await admin.getByText('This task no longer exists').waitFor();
  });

/** Twenty entries a page (HISTORY_PAGE_SIZE): a task changed 24 times has 25, on two pages. */
const CHANGES = 24;

export const historyPagingJourney = () =>
  journey('history-paging', async (open) => {
    const token = await passwordToken('bob');
    const task = await createTask(token, 'Tune the piano');
    for (let change = 1; change <= CHANGES; change += 1) {
      const response = await api(token, 'PATCH', `/tasks/${task.id}`, { description: `Pass ${change}` });
      expect(response.status).toBe(200);
    }
    const page = await open('bob');
    await page.goto(`${appUrl()}/app/tasks/${task.id}`);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    const entries = page.locator('.history-entries > li');
    await expect.poll(() => entries.count()).toBe(20);
    expect(await entries.first().textContent()).toContain(`Pass ${CHANGES}`);

    await page.getByRole('button', { name: 'Show older' }).click();
    await expect.poll(() => entries.count()).toBe(CHANGES + 1);
    // Every change once, newest first, the creation last; nothing more to show.
    const texts = await entries.allInnerTexts();
    const passes = texts.slice(0, CHANGES).map((text) => Number(/Pass (\d+)$/m.exec(text)?.[1]));
    expect(passes).toEqual(Array.from({ length: CHANGES }, (_, index) => CHANGES - index));
    expect(texts.at(-1)).toMatch(/created the task[\s\S]*Tune the piano/);
    expect(await page.getByRole('button', { name: 'Show older' }).count()).toBe(0);
    await expectAccessible(page, 'task history, two pages');
    await screenshot(page, 'history-two-pages');
  });
