/**
 * Loads realistic tasks fast, for development and for checking query plans on
 * millions of rows: set-based `INSERT … SELECT … FROM generate_series`, every
 * value generated inside PostgreSQL, one transaction per batch. Nothing is
 * dropped or disabled: the indexes stay and are maintained as rows arrive, so
 * this is safe on a database the API is using.
 *
 * The rows look like real ones: `created_at` spread over the past two years in
 * insertion order (as a live table fills), UUIDv7 ids made from that same
 * millisecond (so ids sort with `created_at`), a skewed spread over owners,
 * 45% done / 20% in progress / 35% to do, `updated_at` and `version` that
 * agree with each other, varied titles and descriptions (some null) for `q`,
 * with common words and rare ones (contact names).
 */
import type pg from 'pg';
import { INSERT_BATCH } from './tasks.seed-rows.ts';

export interface SeedOptions {
  /** How many tasks to insert. */
  count: number;
  /** Owners to spread them over: `extraOwners` first, then `seed-user-0001`, … */
  owners: number;
  /** Rows per statement (and per transaction). */
  batchSize: number;
  /** Batches running at once, each on its own connection (default 2: one per core here). */
  concurrency?: number;
  /** Owner ids to include first (the development users), so they have tasks to page through. */
  extraOwners?: readonly string[];
  /** `created_at` spans the `spanDays` days before `now`. */
  spanDays?: number;
  now?: Date;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  inserted: number;
  total: number;
  elapsedMs: number;
}

export interface SeedResult {
  inserted: number;
  /** Time of the inserts alone; `analyzeMs` is the ANALYZE (and GIN clean-up) after them. */
  insertMs: number;
  analyzeMs: number;
}

/** A seed reports its progress in about this many steps (batches), of at least PROGRESS_MIN_BATCH rows. */
const PROGRESS_STEPS = 20;
const PROGRESS_MIN_BATCH = 500;

export const SEED_DEFAULTS = {
  count: 10_000,
  owners: 1_000,
  batchSize: 100_000,
  concurrency: 2,
  spanDays: 730,
} as const;

/** Owner ids: the extra ones first, then `seed-user-0001`, … until there are `owners` (at least one). */
export function seedOwnerIds(owners: number, extraOwners: readonly string[] = []): string[] {
  const ids = [...new Set(extraOwners)];
  const width = Math.max(4, String(owners).length);
  for (let n = 1; ids.length < Math.max(owners, 1); n += 1) {
    ids.push(`seed-user-${String(n).padStart(width, '0')}`);
  }
  return ids;
}

/** Where the seed gets its connections: a `pg.Pool`, with at least `concurrency` connections. */
export type SeedConnections = Pick<pg.Pool, 'connect'>;

async function insertBatch(client: pg.PoolClient, values: unknown[]): Promise<void> {
  await client.query('BEGIN');
  try {
    // A bulk load: no per-statement limit, and no waiting for the WAL flush of each
    // batch (a crash loses at most the last batches, never consistency).
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(INSERT_BATCH, values);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Inserts `options.count` tasks in batches (each its own transaction, up to
 * `concurrency` at once), then merges the trigram index's pending list and
 * runs ANALYZE.
 */
export async function seedTasks(db: SeedConnections, options: SeedOptions): Promise<SeedResult> {
  const { count } = options;
  // Batches small enough that progress shows from the start (about 20 steps), yet never tiny.
  const batchSize = Math.min(
    options.batchSize,
    Math.max(PROGRESS_MIN_BATCH, Math.ceil(count / PROGRESS_STEPS)),
  );
  const concurrency = Math.max(1, options.concurrency ?? SEED_DEFAULTS.concurrency);
  const spanDays = options.spanDays ?? SEED_DEFAULTS.spanDays;
  const now = options.now ?? new Date();
  const owners = seedOwnerIds(options.owners, options.extraOwners);
  const spanMs = spanDays * 86_400_000;
  const start = new Date(now.getTime() - spanMs).toISOString();
  const stepMicros = count > 0 ? (spanMs * 1000) / count : 0;

  const started = performance.now();
  let claimed = 0;
  let inserted = 0;
  let failed = false;
  const worker = async () => {
    const client = await db.connect();
    try {
      while (claimed < count && !failed) {
        const first = claimed + 1;
        const last = Math.min(claimed + batchSize, count);
        claimed = last;
        await insertBatch(client, [first, last, start, stepMicros, now.toISOString(), owners]);
        inserted += last - first + 1;
        options.onProgress?.({ inserted, total: count, elapsedMs: performance.now() - started });
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.release();
    }
  };
  const workers = Math.min(concurrency, Math.ceil(count / batchSize));
  // Every worker finishes (or fails) its batch before this returns: no statement outlives the call.
  const outcomes = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  const insertMs = performance.now() - started;

  const analyzeStarted = performance.now();
  const client = await db.connect();
  try {
    // Queries for `q` would otherwise also read whatever sits in the GIN pending list until
    // autovacuum merges it. Only the index's owner may do this now; anyone else leaves it to autovacuum.
    await client
      .query("SELECT gin_clean_pending_list('tasks_search_text_idx'::regclass)")
      .catch((error: { code?: string }) => {
        if (error.code !== '42501') throw error;
      });
    await client.query('ANALYZE tasks');
  } finally {
    client.release();
  }
  return { inserted, insertMs, analyzeMs: performance.now() - analyzeStarted };
}
