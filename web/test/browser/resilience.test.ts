/**
 * The web app when its API restarts under it, in Chromium. A file (and an
 * `npm start`) of its own: stopping the server would break the other journeys.
 */
import { describe, it } from 'vitest';
import { startAppServer } from './app-server.ts';
import { JOURNEY_TIMEOUT_MS, startAppAndBrowser } from './journey-kit.ts';
import { restartJourney } from './resilience.journey.ts';

// The web helper's ports (8050-8059, embedded PostgreSQL 55050-55059); journeys.test.ts has 8051.
startAppAndBrowser(() => startAppServer({ port: 8053, databasePort: 55053 }));

describe('the web app, when the API restarts', () => {
  it(
    'bob’s board says it is reconnecting, is live again by itself, and misses nothing',
    restartJourney,
    JOURNEY_TIMEOUT_MS,
  );
});
