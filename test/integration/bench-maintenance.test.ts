/**
 * The bench's own maintenance (restoring the seed between phases) runs
 * without the database's statement_timeout (migration 004): with it, deleting
 * the write scenarios' ~100,000 tasks hit the 5 s bound (57014) and every
 * later run died at its first restore.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenanceConnection, restoreSeed } from '../../bench/lib/dataset.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // As migration 004 does with 5 s, so short that any real restore exceeds it.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`ALTER DATABASE ${db.name} SET statement_timeout = '5ms'`);
  await client.end();
});
afterAll(() => db?.drop());

const run = async (config: pg.ClientConfig, sql: string) => {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
};

describe('bench maintenance connections', () => {
  it('an ordinary connection is bound by the database timeout; a maintenance one is not', async () => {
    await expect(run({ connectionString: db.url }, 'SELECT pg_sleep(0.1)')).rejects.toMatchObject({
      code: '57014',
    });
    await expect(run(maintenanceConnection(db.url), 'SELECT pg_sleep(0.1)')).resolves.toBeDefined();
  });

  it('restoring the seed removes what was created after it, however long that takes', async () => {
    const seededAt = new Date(Date.now() - 60_000);
    // The test's own setup is maintenance too.
    await run(
      maintenanceConnection(db.url),
      `INSERT INTO tasks (id, title, status, owner_id, created_at, updated_at)
       SELECT gen_random_uuid(), 'seeded', 'todo', 'o', now() - interval '1 hour', now() - interval '1 hour'
       FROM generate_series(1, 10)`,
    );
    await run(
      maintenanceConnection(db.url),
      `INSERT INTO tasks (id, title, status, owner_id) SELECT gen_random_uuid(), 'bench', 'todo', 'o'
       FROM generate_series(1, 20000)`,
    );
    await restoreSeed(db.url, seededAt);
    const { rows } = await run(
      { connectionString: db.url },
      'SELECT title, count(*)::int AS n FROM tasks GROUP BY title',
    );
    expect(rows).toEqual([{ title: 'seeded', n: 10 }]);
  });
});
