/**
 * What the listing shapes (listing-shapes.ts) are written with: the callers,
 * a GET /tasks query, the indexes a status filter may read, a position deep in
 * a listing, and a shape's expectation of its plan.
 */
import type pg from 'pg';
import { DEV_USERS } from '../../src/auth/dev-idp/dev-users.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';
import type { ListSort, ListTasksQuery } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { SORT_ORDERS } from '../../src/modules/tasks/tasks.sorts.ts';
import { caller } from './principals.ts';

const DAY = 86_400_000;

const devSub = (username: string) => {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no development user ${username}`);
  return user.sub;
};
export const admin = caller(devSub('alice'), 'admin');
export const bob = caller(devSub('bob'), 'user');
/** An owner from the long tail: about a thousand tasks. */
export const TAIL_OWNER = 'seed-user-0500';

/**
 * The position of the row `depth` rows into a listing: what `next_cursor` would say there.
 * Found by an offset (millions of rows at ten million tasks): a test's setup, not an API
 * statement, so without the database's statement_timeout.
 */
export async function cursorAt(
  pool: pg.Pool,
  sort: ListSort,
  depth: number,
  where = 'TRUE',
  values: unknown[] = [],
): Promise<string> {
  const { key, direction } = SORT_ORDERS[sort];
  const column = sort.replace(/^-/, '');
  const client = await pool.connect();
  const { rows } = await client
    .query('SET statement_timeout = 0')
    .then(() =>
      client.query<{ key: Date | number | null; id: string }>(
        `SELECT ${column} AS key, id FROM tasks WHERE ${where}
     ORDER BY ${key('tasks')} ${direction}, id ${direction} OFFSET ${depth} LIMIT 1`,
        values,
      ),
    )
    .finally(() => client.query('RESET statement_timeout').finally(() => client.release()));
  const row = rows[0];
  if (!row) throw new Error(`no row at depth ${depth} for ${sort} where ${where}`);
  return encodeCursor({ sort, key: row.key instanceof Date ? row.key.toISOString() : row.key, id: row.id });
}

export const query = (overrides: Partial<ListTasksQuery> = {}): ListTasksQuery => ({
  skip: 0,
  limit: 10,
  sort: '-created_at',
  ...overrides,
});

export interface Shape {
  name: string;
  caller: Principal;
  query: (pool: pg.Pool) => ListTasksQuery | Promise<ListTasksQuery>;
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
export const STATUS_INDEXES = ['tasks_status_created_at_idx', 'tasks_created_at_idx'];

export const since = (days: number) => new Date(Date.now() - days * DAY).toISOString();
