/**
 * Graceful shutdown (what SIGTERM runs: `app.close()`): requests already
 * being handled finish with their normal answer before the database pools
 * close, and the close completes only after them. The requests are held
 * in flight deterministically by a table lock taken from outside the API.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { createTask } from '../support/task-helpers.ts';

let api: RunningApi;
let closed = false;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  if (!closed) await api.app.close();
  await api.database.drop();
  await api.oidc.close();
});

/**
 * Waits until `count` of the API's queries are blocked behind a lock. Asked
 * outside the locking transaction: inside it, pg_stat_activity is a snapshot.
 */
async function waitForBlockedQueries(observer: pg.Client, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { rows } = await observer.query<{ blocked: number }>(
      `SELECT count(*)::int AS blocked FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if ((rows[0]?.blocked ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`expected ${count} queries blocked behind the lock`);
}

describe('graceful shutdown', () => {
  it('finishes in-flight reads and writes with their normal answers, then closes', async () => {
    const existing = await createTask(api, 'bob', { title: 'read while closing' });
    const locker = new pg.Client({ connectionString: api.database.url });
    const observer = new pg.Client({ connectionString: api.database.url });
    await Promise.all([locker.connect(), observer.connect()]);
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');

      const inFlight = [
        api.request('bob', 'POST', '/tasks', { json: { title: 'created while closing' } }),
        api.request('bob', 'GET', `/tasks/${existing.id}`),
        api.request('alice', 'GET', '/tasks?limit=5'),
      ];
      await waitForBlockedQueries(observer, inFlight.length);

      let closeDone = false;
      const closing = api.app.close().then(() => {
        closeDone = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(closeDone, 'close waits for the requests in flight').toBe(false);

      await locker.query('COMMIT');
      const statuses = await Promise.all(inFlight.map(async (response) => (await response).status));
      expect(statuses).toEqual([201, 200, 200]);
      // Promptly: idle keep-alive connections (fetch keeps them, as NGINX does) do not hold the close up.
      const slow = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('close still waiting 5 s after the last response')), 5_000).unref(),
      );
      await Promise.race([closing, slow]);
      closed = true;
    } finally {
      await Promise.all([locker.end(), observer.end()]);
    }

    // The write acknowledged during shutdown is stored.
    const check = new pg.Client({ connectionString: api.database.url });
    await check.connect();
    const { rows } = await check.query("SELECT 1 FROM tasks WHERE title = 'created while closing'");
    await check.end();
    expect(rows).toHaveLength(1);

    // And the closed API takes no new connection.
    await expect(fetch(`${api.baseUrl}/healthz`)).rejects.toThrow();
  });
});
