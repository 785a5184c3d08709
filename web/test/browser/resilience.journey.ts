/**
 * The API goes away under an open board and comes back (a restart, a
 * deploy): the board says it is reconnecting, then live again on its own,
 * and a task created while it was away from the stream appears without a
 * reload (the stream resumes from the last event it saw).
 */
import { expect } from 'vitest';
import { screenshot } from './browser.ts';
import { appUrl, createTask, journey, passwordToken, theServer } from './journey-kit.ts';

/** From the API's return to the board live again: the browser's retry (2 s) or the app's first pause after a refusal. */
const BACK_LIVE_MS = 15_000;

export const restartJourney = () =>
  journey(
    'restart',
    async (open) => {
      const board = await open('bob');
      await board.goto(`${appUrl()}/app/board`);
      await board.getByRole('heading', { name: 'Board' }).waitFor();
      const indicator = board.locator('.live-indicator');
      await indicator.filter({ hasText: 'Live' }).waitFor();
      const before = await createTask(await passwordToken('bob'), 'Before the restart');
      await board.getByText('Before the restart').waitFor();
      await board.evaluate(() => Object.assign(window, { notReloaded: true }));

      await theServer().stop();
      await indicator.filter({ hasText: 'Reconnecting…' }).waitFor();
      await screenshot(board, 'restart-reconnecting');
      await theServer().start();
      // Written the moment the API is back, before the board's stream can have reopened.
      const during = await createTask(await passwordToken('bob'), 'While the board was away');
      const back = Date.now();
      await indicator.filter({ hasText: 'Live' }).waitFor({ timeout: BACK_LIVE_MS });
      console.log(`[restart] the board was live again ${Date.now() - back} ms after the API's return`);
      await board.getByText('While the board was away').waitFor();
      expect(await board.evaluate(() => 'notReloaded' in window)).toBe(true);
      expect(await board.getByText('Before the restart').count()).toBe(1);
      expect(during.id).not.toBe(before.id);
      await screenshot(board, 'restart-live-again');

      // And it keeps following: a change made after the reconnection arrives too.
      await createTask(await passwordToken('bob'), 'After the restart');
      await board.getByText('After the restart').waitFor();
    },
    // What the stopped server provokes: the browser's own retries of the stream, refused.
    {
      provoked: [
        /^request: \S+\/tasks\/stream net::ERR_CONNECTION_REFUSED$/,
        /^console: Failed to load resource: net::ERR_CONNECTION_REFUSED$/,
      ],
    },
  );
