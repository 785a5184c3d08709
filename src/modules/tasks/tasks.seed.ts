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

// Words for titles and descriptions. A skewed pick (the first words of each
// list come up far more often than the last) gives `q` very common words (a
// quarter of all tasks) and less common ones (a few percent).
// biome-ignore format: word lists read better packed
const VERBS = [
  'Fix', 'Review', 'Update', 'Write', 'Investigate', 'Refactor', 'Test', 'Document', 'Design', 'Deploy',
  'Migrate', 'Clean up', 'Prepare', 'Plan', 'Automate', 'Monitor', 'Optimise', 'Upgrade', 'Remove', 'Add',
  'Draft', 'Benchmark', 'Triage', 'Audit', 'Translate', 'Archive', 'Schedule', 'Publish', 'Validate',
  'Sketch',
];
// biome-ignore format: word lists read better packed
const ADJECTIVES = [
  'new', 'broken', 'slow', 'legacy', 'quarterly', 'monthly', 'flaky', 'customer', 'internal', 'public',
  'mobile', 'shared', 'nightly', 'billing', 'marketing', 'onboarding', 'security', 'regional', 'draft',
  'final', 'experimental', 'deprecated', 'urgent', 'annual', 'multilingual', 'offline', 'encrypted',
  'partner', 'beta',
];
// biome-ignore format: word lists read better packed
const NOUNS = [
  'report', 'dashboard', 'login page', 'invoice', 'release notes', 'API docs', 'database backup',
  'test suite', 'search index', 'email template', 'checkout flow', 'user survey', 'budget', 'roadmap',
  'landing page', 'export job', 'import script', 'style guide', 'cache', 'payment gateway', 'newsletter',
  'contract', 'presentation', 'pipeline', 'certificate', 'sitemap', 'webhook', 'spreadsheet', 'data model',
  'audit log', 'permissions', 'notification service', 'style sheet', 'load balancer', 'help centre',
  'glossary', 'warehouse sync', 'price list', 'kanban board', 'mailing list', 'firmware',
  'translation memory',
];
// biome-ignore format: word lists read better packed
const AREAS = [
  'the website', 'the mobile app', 'finance', 'support', 'the Berlin office', 'sales', 'Q3', 'Q4',
  'the board', 'the launch', 'customer success', 'the data team', 'legal', 'procurement', 'the conference',
  'the audit', 'the Lisbon office', 'the partner portal', 'operations', 'recruiting',
];
// biome-ignore format: word lists read better packed
const OPENINGS = [
  'Customers reported that the', 'Noticed during the last release that the',
  'As discussed in the standup, the', 'Follow-up from the retrospective: the',
  'Support tickets mention that the', 'The monitoring shows that the', 'According to the analytics, the',
  'Legal asked whether the', 'Before the migration, the', 'After the upgrade, the',
];
// biome-ignore format: word lists read better packed
const PROBLEMS = [
  'times out under load', 'shows stale numbers', 'needs a second review', 'is missing translations',
  'fails on the first try', 'ignores the time zone', 'is hard to find', 'uses an outdated layout',
  'duplicates some entries', 'breaks on small screens', 'is not accessible', 'leaks memory overnight',
  'rounds totals the wrong way', 'sends the email twice', 'needs an owner', 'lacks tests',
];
// biome-ignore format: word lists read better packed
const NEXT_STEPS = [
  'Check the logs and write down the steps to reproduce.', 'Agree on a deadline with the team.',
  'Add a regression test before changing anything.', 'Ask for feedback in the weekly sync.',
  'Compare with the numbers from last year.', 'Link the related tickets here.',
  'Estimate the effort and split it into smaller tasks.', 'Update the runbook once done.',
  'Pair with someone from the platform team.', 'Measure before and after.',
  'Keep the old behaviour behind a feature flag.', 'Notify the stakeholders when it ships.',
];
// Contact names, in about a quarter of the tasks: 2,000 combinations, the long
// tail for `q` (a full name is in about 1 task in 8,000, a surname in 1 in 200).
// biome-ignore format: word lists read better packed
const FIRST_NAMES = [
  'Amara', 'Bruno', 'Chen', 'Dmitri', 'Elena', 'Farah', 'Gustavo', 'Hana', 'Ingrid', 'Jamal', 'Kenji',
  'Lucia', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tamar', 'Umar', 'Valentina',
  'Wei', 'Ximena', 'Yusuf', 'Zofia', 'Aoife', 'Bjorn', 'Chiara', 'Dario', 'Emeka', 'Fatima', 'Goran',
  'Helga', 'Ishaan', 'Joanna', 'Kwame', 'Leila', 'Marek', 'Noor',
];
// biome-ignore format: word lists read better packed
const SURNAMES = [
  'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Kowalski', 'Haddad', 'Fernandes', 'Novak', 'Schmidt', 'Rossi',
  'Nakamura', 'Oliveira', 'Petrov', 'Quispe', 'Rahman', 'Sorensen', 'Takahashi', 'Urquhart', 'Varga',
  'Wojcik', 'Yilmaz', 'Zhang', 'Abara', 'Bianchi', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gallagher',
  'Horvat', 'Ivanova', 'Jensen', 'Kruger', 'Larsen', 'Mensah', 'Nieminen', 'Ortega', 'Papadopoulos', 'Reyes',
  'Steiner', 'Toivonen', 'Ueda', 'Vasquez', 'Weber', 'Xu', 'Yamamoto', 'Zeller', 'Achebe', 'Bergstrom',
  'Costa',
];

/** 45% done, 20% in progress, 35% to do: one uniform pick from twenty. */
const STATUS_MIX = [
  ...Array<string>(9).fill('done'),
  ...Array<string>(4).fill('in_progress'),
  ...Array<string>(7).fill('todo'),
];

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
/** A random element of `words`, the first ones more often (skew 1 = uniform). */
const pick = (words: readonly string[], skew = 1.6) =>
  `(ARRAY[${words.map(literal).join(',')}])[1 + floor(power(random(), ${skew}) * ${words.length})::int]`;

/**
 * One batch: rows `$1..$2`, `created_at` evenly through the span starting
 * at `$3` (a step of `$4` µs per row, jittered within the step; `$5` is now),
 * owners picked from `$6`, the first ones far more often.
 * The id is UUIDv7 (RFC 9562): the 48-bit Unix millisecond of `created_at`,
 * version 7, then the random bits (and the RFC variant bits) of a v4 UUID.
 */
const INSERT_BATCH = `
INSERT INTO tasks (id, title, description, status, owner_id, created_at, updated_at, version)
SELECT
  encode(set_byte(
    overlay(r.random_bytes PLACING substring(int8send((extract(epoch FROM r.created_at) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    6, (get_byte(r.random_bytes, 6) & 15) | 112), 'hex')::uuid,
  r.title,
  r.description,
  r.status,
  r.owner_id,
  r.created_at,
  -- Edited tasks: later than created_at (by up to 60 days, mostly less), never later than now.
  CASE WHEN r.edits = 0 THEN r.created_at
    ELSE date_trunc('milliseconds', least($5::timestamptz, r.created_at + interval '1 millisecond'
      + power(random(), 2) * least(interval '60 days', $5::timestamptz - r.created_at)))
  END,
  1 + r.edits
FROM (
  SELECT g.*,
    CASE g.status
      WHEN 'todo' THEN CASE WHEN random() < 0.7 THEN 0 ELSE 1 + floor(random() * 2)::int END
      WHEN 'in_progress' THEN 1 + floor(random() * 3)::int
      ELSE 1 + floor(power(random(), 2) * 6)::int
    END AS edits
  FROM (
    SELECT
      date_trunc('milliseconds',
        $3::timestamptz + (i - 1 + random()) * $4::float8 * interval '1 microsecond') AS created_at,
      uuid_send(gen_random_uuid()) AS random_bytes,
      ${pick(STATUS_MIX, 1)} AS status,
      ($6::text[])[1 + floor(power(random(), 2) * cardinality($6::text[]))::int] AS owner_id,
      ${pick(VERBS)} || ' ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)}
        || CASE WHEN random() < 0.6 THEN ' for ' || ${pick(AREAS)} ELSE '' END AS title,
      CASE WHEN random() < 0.2 THEN NULL
        ELSE ${pick(OPENINGS, 1)} || ' ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)} || ' '
          || ${pick(PROBLEMS)} || '. ' || ${pick(NEXT_STEPS, 1)}
          || CASE WHEN random() < 0.4 THEN ' ' || ${pick(NEXT_STEPS, 1)} ELSE '' END
          || CASE WHEN random() < 0.3 THEN ' Contact: ' || ${pick(FIRST_NAMES, 1)} || ' ' || ${pick(SURNAMES, 1)} || '.'
             ELSE '' END
      END AS description
    FROM generate_series($1::int, $2::int) AS i
    OFFSET 0
  ) AS g
  OFFSET 0
) AS r`;

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
  const { count, batchSize } = options;
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
      .query("SELECT gin_clean_pending_list('tasks_search_trgm_idx'::regclass)")
      .catch((error: { code?: string }) => {
        if (error.code !== '42501') throw error;
      });
    await client.query('ANALYZE tasks');
  } finally {
    client.release();
  }
  return { inserted, insertMs, analyzeMs: performance.now() - analyzeStarted };
}
