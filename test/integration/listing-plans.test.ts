/**
 * The listing queries on a million tasks: for every query shape the API
 * issues (the real statement: from `normalizeListQuery`, then batched as
 * `listTaskPages` batches it, or alone), the plan must read an index in order
 * and stop after the page, never sort or scan the whole table (a batch sorts
 * only the pages it read, to hand them back in order); a cursor page deep in
 * the table must read as few rows as the first page. Seeded by the same code as `npm run seed`.
 * LISTING_PLANS_ROWS=10000000 runs it on ten million rows (seeding then takes minutes).
 */
import pg from 'pg';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_USERS } from '../../src/auth/dev-idp/dev-users.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';
import { type ListingQuery, normalizeListQuery } from '../../src/modules/tasks/tasks.query.ts';
import { batchedListing, isBatchable, listTasksQuery } from '../../src/modules/tasks/tasks.repository.ts';
import type { ListSort, ListTasksQuery } from '../../src/modules/tasks/tasks.schemas.ts';
import { seedTasks } from '../../src/modules/tasks/tasks.seed.ts';
import { caller } from '../support/principals.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const ROWS = Number(process.env.LISTING_PLANS_ROWS ?? 1_000_000);
const DAY = 86_400_000;
/** Per test: the whole-table checks and the documented full scans grow with the table. */
const TIMEOUT = Math.max(30_000, ROWS * 0.02);

const devSub = (username: string) => {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no development user ${username}`);
  return user.sub;
};
const admin = caller(devSub('alice'), 'admin');
const bob = caller(devSub('bob'), 'user');
/** An owner from the long tail: about a thousand tasks. */
const TAIL_OWNER = 'seed-user-0500';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}
interface Explained {
  Plan: PlanNode;
  'Execution Time'?: number;
  JIT?: unknown;
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
const describeNode = (node: PlanNode) =>
  node['Node Type'] +
  (node['Scan Direction'] === 'Backward' ? ' Backward' : '') +
  (node['Index Name'] ? ` on ${node['Index Name']}` : '');
/** `Limit > Index Scan Backward on tasks_created_at_idx`: the plan's nodes, depth first. */
const summary = (plan: PlanNode) => nodesOf(plan).map(describeNode).join(' > ');
const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
/** Rows the scans looked at: returned plus filtered away, over all loops. */
const rowsRead = (plan: PlanNode) =>
  nodesOf(plan)
    .filter((node) => SCANS.has(node['Node Type']))
    .reduce(
      (sum, node) =>
        sum +
        ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1),
      0,
    );
const buffers = (plan: PlanNode) => (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);

let db: TestDatabase;
let pool: pg.Pool;

async function explain(query: { text: string; values: unknown[] }, analyze: boolean): Promise<Explained> {
  const options = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  const { rows } = await pool.query<{ 'QUERY PLAN': Explained[] }>(
    `EXPLAIN (${options}) ${query.text}`,
    query.values,
  );
  return rows[0]?.['QUERY PLAN'][0] as Explained;
}

const BATCH = 3;

/** The statement the API sends for `listing`: in a batch (of BATCH copies here) when it is batched, else alone. */
function statementOf(listing: ListingQuery): { sql: { text: string; values: unknown[] }; listings: number } {
  if (!isBatchable(listing)) return { sql: listTasksQuery(listing), listings: 1 };
  const batch = Array.from({ length: BATCH }, (_, index) => batchedListing(listing, index));
  const text = batch[0]?.shape as string;
  return { sql: { text, values: [JSON.stringify(batch.map(({ row }) => row))] }, listings: BATCH };
}

/** The position of the row `depth` rows into a listing: what `next_cursor` would say there. */
async function cursorAt(
  sort: ListSort,
  depth: number,
  where = 'TRUE',
  values: unknown[] = [],
): Promise<string> {
  const key = sort.endsWith('updated_at') ? 'updated_at' : 'created_at';
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  const { rows } = await pool.query<{ key: Date; id: string }>(
    `SELECT ${key} AS key, id FROM tasks WHERE ${where}
     ORDER BY ${key} ${direction}, id ${direction} OFFSET ${depth} LIMIT 1`,
    values,
  );
  const row = rows[0];
  if (!row) throw new Error(`no row at depth ${depth} for ${sort} where ${where}`);
  return encodeCursor({ sort, key: row.key.toISOString(), id: row.id });
}

const query = (overrides: Partial<ListTasksQuery> = {}): ListTasksQuery => ({
  skip: 0,
  limit: 10,
  sort: '-created_at',
  ...overrides,
});

interface Shape {
  name: string;
  caller: Principal;
  query: () => ListTasksQuery | Promise<ListTasksQuery>;
  /**
   * `ordered`: reads `index` in the listing's order and stops after the page
   * (no Sort, no Seq Scan). `no-seq-scan`: some index, sorting allowed (a few
   * matches, sorted). `report`: printed only (a documented cost).
   */
  expect: 'ordered' | 'no-seq-scan' | 'report';
  /** `ordered`: the plan reads one of these (any index when absent). */
  indexes?: string[];
  /** A deep cursor page: the scans read at most this many rows. */
  maxRowsRead?: number;
}

/**
 * A status filter reads either the status index, or (a common status) the
 * created_at index, dropping the other statuses on the way: both in order.
 */
const STATUS_INDEXES = ['tasks_status_created_at_idx', 'tasks_created_at_idx'];

const since = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const halfway = Math.floor(ROWS / 2);

const SHAPES: Shape[] = [
  {
    name: 'default page (-created_at)',
    caller: admin,
    query: () => query(),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
  },
  {
    name: 'sort=created_at',
    caller: admin,
    query: () => query({ sort: 'created_at' }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
  },
  {
    name: 'sort=-updated_at',
    caller: admin,
    query: () => query({ sort: '-updated_at' }),
    expect: 'ordered',
    indexes: ['tasks_updated_at_idx'],
  },
  {
    name: 'sort=updated_at',
    caller: admin,
    query: () => query({ sort: 'updated_at' }),
    expect: 'ordered',
    indexes: ['tasks_updated_at_idx'],
  },
  {
    name: 'status=in_progress',
    caller: admin,
    query: () => query({ status: 'in_progress' }),
    expect: 'ordered',
    indexes: STATUS_INDEXES,
  },
  {
    name: 'status=done, sort=created_at',
    caller: admin,
    query: () => query({ status: 'done', sort: 'created_at' }),
    expect: 'ordered',
    indexes: STATUS_INDEXES,
  },
  {
    name: 'status=todo, sort=-updated_at',
    caller: admin,
    query: () => query({ status: 'todo', sort: '-updated_at' }),
    expect: 'ordered',
    indexes: ['tasks_updated_at_idx'],
  },
  {
    name: 'status=todo,in_progress (multi-status)',
    caller: admin,
    query: () => query({ status: 'todo,in_progress' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'owner_id (admin, tail owner)',
    caller: admin,
    query: () => query({ owner_id: TAIL_OWNER }),
    expect: 'ordered',
    indexes: ['tasks_owner_created_at_idx'],
  },
  {
    name: 'owner_id + status=done (admin)',
    caller: admin,
    query: () => query({ owner_id: TAIL_OWNER, status: 'done' }),
    expect: 'ordered',
  },
  {
    name: 'user bob (own tasks)',
    caller: bob,
    query: () => query(),
    expect: 'ordered',
    indexes: ['tasks_owner_created_at_idx'],
  },
  {
    name: 'user bob, sort=-updated_at',
    caller: bob,
    query: () => query({ sort: '-updated_at' }),
    expect: 'ordered',
    indexes: ['tasks_owner_updated_at_idx'],
  },
  {
    name: 'user bob, status=in_progress',
    caller: bob,
    query: () => query({ status: 'in_progress' }),
    expect: 'ordered',
  },
  {
    name: 'user bob, status=todo,done',
    caller: bob,
    query: () => query({ status: 'todo,done' }),
    expect: 'no-seq-scan',
  },
  {
    name: `cursor at depth ${halfway} (-created_at)`,
    caller: admin,
    query: async () => query({ cursor: await cursorAt('-created_at', halfway) }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
    maxRowsRead: 11,
  },
  {
    name: `cursor at depth ${halfway} (created_at)`,
    caller: admin,
    query: async () => query({ sort: 'created_at', cursor: await cursorAt('created_at', halfway) }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
    maxRowsRead: 11,
  },
  {
    name: `cursor at depth ${halfway} (-updated_at)`,
    caller: admin,
    query: async () => query({ sort: '-updated_at', cursor: await cursorAt('-updated_at', halfway) }),
    expect: 'ordered',
    indexes: ['tasks_updated_at_idx'],
    maxRowsRead: 11,
  },
  {
    name: 'cursor deep in status=done (-created_at)',
    caller: admin,
    query: async () =>
      query({
        status: 'done',
        cursor: await cursorAt('-created_at', Math.floor(ROWS * 0.2), "status = 'done'"),
      }),
    expect: 'ordered',
    indexes: STATUS_INDEXES,
    // Through the status index: the page; through created_at filtering on status: about page / 45%.
    maxRowsRead: 60,
  },
  {
    name: "cursor halfway through bob's tasks",
    caller: bob,
    query: async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tasks WHERE owner_id = $1',
        [bob.subject],
      );
      const depth = Math.floor((rows[0]?.n ?? 0) / 2);
      return query({ cursor: await cursorAt('-created_at', depth, 'owner_id = $1', [bob.subject]) });
    },
    expect: 'ordered',
    indexes: ['tasks_owner_created_at_idx'],
    maxRowsRead: 11,
  },
  {
    name: 'created_after + created_before (a month, a year ago)',
    caller: admin,
    query: () => query({ created_after: since(395), created_before: since(365) }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
  },
  {
    name: 'created_after (last week)',
    caller: admin,
    query: () => query({ created_after: since(7) }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
  },
  {
    name: 'created_before (a year ago), sort=created_at',
    caller: admin,
    query: () => query({ created_before: since(365), sort: 'created_at' }),
    expect: 'ordered',
    indexes: ['tasks_created_at_idx'],
  },
  {
    name: 'q=report (common word)',
    caller: admin,
    query: () => query({ q: 'report' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'q=glossary (rarer word)',
    caller: admin,
    query: () => query({ q: 'glossary' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'q=Emeka Yamamoto (a rare name)',
    caller: admin,
    query: () => query({ q: 'Emeka Yamamoto' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'q=kubernetes (no match)',
    caller: admin,
    query: () => query({ q: 'kubernetes' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'q=xyz (three letters, no match)',
    caller: admin,
    query: () => query({ q: 'xyz' }),
    expect: 'no-seq-scan',
  },
  {
    name: 'q=data model (two words)',
    caller: admin,
    query: () => query({ q: 'data model' }),
    expect: 'no-seq-scan',
  },
  { name: 'user bob, q=invoice', caller: bob, query: () => query({ q: 'invoice' }), expect: 'no-seq-scan' },
  {
    name: 'q=report, status=done',
    caller: admin,
    query: () => query({ q: 'report', status: 'done' }),
    expect: 'no-seq-scan',
  },
  // Documented costs, printed for the record.
  {
    name: `skip=${halfway} (offset pagination)`,
    caller: admin,
    query: () => query({ skip: halfway }),
    expect: 'report',
  },
  {
    name: 'created_before (a year ago), sort=-updated_at',
    caller: admin,
    query: () => query({ created_before: since(365), sort: '-updated_at' }),
    expect: 'report',
  },
  {
    name: 'created_after (last month), sort=updated_at',
    caller: admin,
    query: () => query({ created_after: since(30), sort: 'updated_at' }),
    expect: 'report',
  },
  {
    name: 'created_after + created_before (a month, a year ago), sort=-updated_at',
    caller: admin,
    query: () => query({ created_after: since(395), created_before: since(365), sort: '-updated_at' }),
    expect: 'report',
  },
];

beforeAll(
  async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    // Dropping the database (WITH FORCE) may reach a connection that pool.end() is still closing.
    pool.on('error', () => {});
    const started = performance.now();
    const result = await seedTasks(pool, {
      count: ROWS,
      owners: 1_000,
      batchSize: 100_000,
      extraOwners: DEV_USERS.map((user) => user.sub),
    });
    console.log(
      `seeded ${result.inserted} tasks in ${(result.insertMs / 1000).toFixed(1)} s ` +
        `(${Math.round(result.inserted / (result.insertMs / 1000))} rows/s), ` +
        `ANALYZE ${(result.analyzeMs / 1000).toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  },
  Math.max(300_000, ROWS * 0.3),
);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe(`seeded data (${ROWS} tasks)`, () => {
  it(
    'has time-ordered UUIDv7 ids that carry their created_at, and consistent timestamps and versions',
    async () => {
      const { rows } = await pool.query<{
        total: number;
        wrong_time: number;
        bad_updated: number;
        bad_version: number;
        done: number;
        in_progress: number;
        no_description: number;
        owners: number;
        dev_owned: number;
      }>(
        `SELECT count(*)::int AS total,
        count(*) FILTER (WHERE ('x' || left(replace(id::text, '-', ''), 12))::bit(48)::bigint
                               <> (extract(epoch FROM created_at) * 1000)::bigint)::int AS wrong_time,
        count(*) FILTER (WHERE updated_at < created_at OR updated_at > now())::int AS bad_updated,
        count(*) FILTER (WHERE version < 1 OR (version = 1) <> (updated_at = created_at))::int AS bad_version,
        count(*) FILTER (WHERE status = 'done')::int AS done,
        count(*) FILTER (WHERE status = 'in_progress')::int AS in_progress,
        count(*) FILTER (WHERE description IS NULL)::int AS no_description,
        count(DISTINCT owner_id)::int AS owners,
        count(*) FILTER (WHERE owner_id = ANY($1::text[]))::int AS dev_owned
       FROM tasks`,
        [DEV_USERS.map((user) => user.sub)],
      );
      const stats = rows[0];
      expect(stats?.total).toBe(ROWS);
      expect(stats?.wrong_time).toBe(0);
      expect(stats?.bad_updated).toBe(0);
      expect(stats?.bad_version).toBe(0);
      expect((stats?.done ?? 0) / ROWS).toBeCloseTo(0.45, 1);
      expect((stats?.in_progress ?? 0) / ROWS).toBeCloseTo(0.2, 1);
      expect((stats?.no_description ?? 0) / ROWS).toBeCloseTo(0.2, 1);
      expect(stats?.owners).toBe(1_000);
      expect(stats?.dev_owned).toBeGreaterThan(0);

      const sample = await pool.query<{ id: string }>('SELECT id FROM tasks TABLESAMPLE SYSTEM (0.1)');
      for (const { id } of sample.rows) {
        expect(isUuid(id)).toBe(true);
        expect(uuidVersion(id)).toBe(7);
      }
      // Ordered by id is ordered by created_at: the first rows of both orders agree.
      const [byId, byCreated] = await Promise.all([
        pool.query<{ created_at: Date }>('SELECT created_at FROM tasks ORDER BY id DESC LIMIT 1000'),
        pool.query<{ created_at: Date }>(
          'SELECT created_at FROM tasks ORDER BY created_at DESC, id DESC LIMIT 1000',
        ),
      ]);
      expect(byId.rows.map((r) => r.created_at.getTime())).toEqual(
        byCreated.rows.map((r) => r.created_at.getTime()),
      );
    },
    TIMEOUT,
  );
});

describe(`listing plans on ${ROWS} tasks`, () => {
  for (const shape of SHAPES) {
    it(
      shape.name,
      async () => {
        const { sql, listings } = statementOf(normalizeListQuery(await shape.query(), shape.caller));
        const { Plan: plan } = await explain(sql, false);
        // A batch hands its pages back in order: a Sort on top of the pages it read.
        const reading = listings > 1 && plan['Node Type'] === 'Sort' ? (plan.Plans ?? []) : [plan];
        // Warm the cache first, so the timed run reads what a live server would hold (the
        // documented slow shapes read most of the table either way).
        if (shape.expect !== 'report') await explain(sql, true);
        const analyzed = await explain(sql, true);
        const types = reading.flatMap(nodesOf).map((node) => node['Node Type']);
        const indexes = nodesOf(plan).flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));
        console.log(
          `[plan] ${shape.name}: ${summary(plan)} | ${analyzed['Execution Time']?.toFixed(2)} ms, ` +
            `${rowsRead(analyzed.Plan)} rows read, ${buffers(analyzed.Plan)} buffers`,
        );

        // Compiling a plan costs tens of milliseconds: more than any listing should take to run.
        expect(analyzed.JIT, 'JIT compilation').toBeUndefined();
        if (shape.expect === 'report') return;
        expect(types, summary(plan)).not.toContain('Seq Scan');
        if (shape.expect === 'ordered') {
          expect(types, summary(plan)).not.toContain('Sort');
          expect(types, summary(plan)).not.toContain('Bitmap Heap Scan');
          expect(
            types.some((type) => type === 'Index Scan' || type === 'Index Only Scan'),
            summary(plan),
          ).toBe(true);
          if (shape.indexes) {
            expect(
              indexes.some((index) => shape.indexes?.includes(index)),
              summary(plan),
            ).toBe(true);
          }
        }
        if (shape.maxRowsRead !== undefined) {
          expect(rowsRead(analyzed.Plan), summary(analyzed.Plan)).toBeLessThanOrEqual(
            shape.maxRowsRead * listings,
          );
          expect(buffers(analyzed.Plan)).toBeLessThan(100 * listings);
        }
      },
      TIMEOUT,
    );
  }
});
