/**
 * The web app in Chromium, started with `npm start` as a person starts it:
 * each journey signs in through the login page, works through the views,
 * runs axe-core on each one (no serious or critical violation), and saves a
 * screenshot whose path is printed. The journeys run in this order on one
 * server: later ones see the tasks earlier ones left.
 */
import { describe, it } from 'vitest';
import { bobJourney } from './bob.journey.ts';
import { JOURNEY_TIMEOUT_MS, startAppAndBrowser } from './journey-kit.ts';
import { historyPagingJourney, liveJourney } from './live.journey.ts';
import { planningJourney } from './planning.journey.ts';
import { aliceJourney, carolJourney, conflictJourney, erinJourney, signOutJourney } from './roles.journey.ts';
import { expiredSessionJourney } from './session.journey.ts';

startAppAndBrowser();

describe('the web app', () => {
  it(
    'bob signs in, creates by quick add and by the form, edits, moves on the board, deletes',
    bobJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'bob plans: due date, priority and labels; the list and board mark the overdue task',
    planningJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'bob’s board and alice’s list follow bob’s other session live: create, move, delete',
    liveJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'a task changed 24 times shows its history 20 entries at a time',
    historyPagingJourney,
    JOURNEY_TIMEOUT_MS,
  );
});

describe('the web app, for every role', () => {
  it(
    'a 412 made by a second session shows both versions; bob keeps his',
    conflictJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'carol (viewer) sees every task and no write control, and the API refuses her anyway',
    carolJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'alice (admin) sees everyone’s tasks with their owner, and filters by owner in the URL',
    aliceJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it('erin (no role) gets a page that says so', erinJourney, JOURNEY_TIMEOUT_MS);
  it(
    'at 375 px in dark mode, bob signs out; the API then refuses the old access token',
    signOutJourney,
    JOURNEY_TIMEOUT_MS,
  );
  it(
    'bob’s session ends while he types a new task: he signs in again, back on the form with his text',
    expiredSessionJourney,
    JOURNEY_TIMEOUT_MS,
  );
});
