/**
 * All SQL about tasks. Columns are already named as the API names its fields,
 * and selected as the API shows them (timestamps as RFC 3339 UTC strings), so
 * a row is a `Task`. Statements are unnamed (PgBouncer transaction mode).
 */
import type { Queryable } from '../../infra/db/database.ts';
import type { EventContext } from './tasks.events.ts';
import type { ListingQuery } from './tasks.query.ts';
import type { Task, TaskStatus } from './tasks.schemas.ts';

/** A task's stored columns. */
export const TASK_COLUMNS = 'id, title, description, status, owner_id, created_at, updated_at, version';
const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const rfc3339 = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${RFC3339_MS})`;
/**
 * A task's columns as its fields (of `table` when given): the database
 * formats the timestamps, which costs it less than parsing them into Dates
 * and back costs the API (docs/performance.md).
 */
const taskFields = (table = '') =>
  `${table}id, ${table}title, ${table}description, ${table}status, ${table}owner_id, ` +
  `${rfc3339(`${table}created_at`)} AS created_at, ${rfc3339(`${table}updated_at`)} AS updated_at, ${table}version`;
const TASK_FIELDS = taskFields();
/** The text `q` searches; the same expression as the trigram index, so the index applies. */
const SEARCH_TEXT = `(title || ' ' || coalesce(description, ''))`;
const NOW = `date_trunc('milliseconds', now())`;

export interface NewTask {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  owner_id: string;
}

export type TaskChanges = Pick<Task, 'title' | 'description' | 'status' | 'owner_id'>;

export async function findTask(db: Queryable, id: string, options: { forUpdate?: boolean } = {}) {
  const lock = options.forUpdate ? ' FOR UPDATE' : '';
  const { rows } = await db.query<Task>(`SELECT ${TASK_FIELDS} FROM tasks WHERE id = $1${lock}`, [id]);
  return rows[0];
}

/** The tasks among `ids` (any order; ids with no task are simply absent). */
export async function findTasks(db: Queryable, ids: readonly string[]): Promise<Task[]> {
  const { rows } = await db.query<Task>(`SELECT ${TASK_FIELDS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  return rows;
}

/** A task to insert, with what its `task.created` event needs. */
export interface NewTaskWithEvent {
  task: NewTask;
  event: EventContext;
}

/**
 * Inserts tasks and their `task.created` events into the outbox in one
 * statement: atomic without a transaction around it, one round trip for
 * all of them, and each event is built from its stored row (id, owner,
 * created_at). Returns the tasks in the order given; the events are in the
 * outbox in that order too.
 */
export async function insertTasksWithEvents(
  db: Queryable,
  items: readonly NewTaskWithEvent[],
): Promise<Task[]> {
  const column = <T>(of: (item: NewTaskWithEvent) => T) => items.map(of);
  const { rows } = await db.query<Task>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
         WITH ORDINALITY AS i(id, title, description, status, owner_id, event_id, owner_email, request_id, position)
     ), task AS (
       INSERT INTO tasks (id, title, description, status, owner_id)
       SELECT id, title, description, status, owner_id FROM input ORDER BY position
       RETURNING ${TASK_COLUMNS}
     ), event AS (
       INSERT INTO outbox (event_id, type, payload)
       SELECT i.event_id, 'task.created', jsonb_build_object(
         'version', 1, 'event_id', i.event_id::text, 'type', 'task.created', 'task_id', t.id,
         'owner_id', t.owner_id, 'owner_email', i.owner_email,
         'occurred_at', ${rfc3339('t.created_at')}, 'request_id', i.request_id)
       FROM task t JOIN input i ON i.id = t.id
       ORDER BY i.position
     )
     SELECT ${TASK_FIELDS} FROM task`,
    [
      column((item) => item.task.id),
      column((item) => item.task.title),
      column((item) => item.task.description),
      column((item) => item.task.status),
      column((item) => item.task.owner_id),
      column((item) => item.event.eventId),
      column((item) => item.event.ownerEmail),
      column((item) => item.event.requestId),
    ],
  );
  const byId = new Map(rows.map((task) => [task.id, task]));
  return items.map(({ task }) => byId.get(task.id) as Task);
}

export async function updateTask(db: Queryable, id: string, changes: TaskChanges): Promise<Task> {
  const { rows } = await db.query<Task>(
    `UPDATE tasks SET title = $2, description = $3, status = $4, owner_id = $5,
       version = version + 1, updated_at = ${NOW}
     WHERE id = $1 RETURNING ${TASK_FIELDS}`,
    [id, changes.title, changes.description, changes.status, changes.owner_id],
  );
  return rows[0] as Task;
}

export async function deleteTask(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM tasks WHERE id = $1', [id]);
}

/** `%`, `_` and `\` in the search text are literal characters, not patterns. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type SqlType = 'text' | 'timestamptz' | 'uuid' | 'int';
/** Puts a listing's value into its SQL: a `$n` parameter of a statement, or a column of a batch row. */
type Placeholder = (value: unknown, type: SqlType) => string;

/**
 * The clauses of one listing page, plus one row more to tell whether another
 * page follows. Every filter is an equality or range the indexes serve, and
 * the order `(key, id)` is total, so keyset paging neither skips nor repeats.
 */
function listingClauses(listing: ListingQuery, placeholder: Placeholder) {
  const where: string[] = [];
  const key = listing.sort.endsWith('updated_at') ? 'updated_at' : 'created_at';
  const direction = listing.sort.startsWith('-') ? 'DESC' : 'ASC';

  if (listing.ownerId !== undefined) where.push(`owner_id = ${placeholder(listing.ownerId, 'text')}`);
  // Statuses are written into the SQL (three known words, never the client's text): a plan
  // then knows how common each is, also as a batch (a status index or a walk in time order).
  if (listing.statuses)
    where.push(`status IN (${listing.statuses.map((status) => `'${status}'`).join(', ')})`);
  if (listing.createdAfter) {
    where.push(`created_at > ${placeholder(listing.createdAfter, 'timestamptz')}`);
    // Implied by updated_at >= created_at (a table rule), and lets an updated_at index scan start at the bound.
    if (key === 'updated_at') where.push(`updated_at > ${placeholder(listing.createdAfter, 'timestamptz')}`);
  }
  if (listing.createdBefore) where.push(`created_at < ${placeholder(listing.createdBefore, 'timestamptz')}`);
  if (listing.q !== undefined)
    where.push(`${SEARCH_TEXT} ILIKE ${placeholder(likePattern(listing.q), 'text')}`);
  if (listing.after) {
    const position = `(${placeholder(listing.after.key, 'timestamptz')}, ${placeholder(listing.after.id, 'uuid')})`;
    where.push(`(${key}, id) ${direction === 'DESC' ? '<' : '>'} ${position}`);
  }
  // Qualified: a bare `created_at` in ORDER BY would be the formatted text of the select list.
  const orderBy = (table: string) => `${table}.${key} ${direction}, ${table}.id ${direction}`;
  const clauses = [
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY ${orderBy('tasks')}`,
    `LIMIT ${placeholder(listing.limit + 1, 'int')}`,
    listing.skip > 0 ? `OFFSET ${placeholder(listing.skip, 'int')}` : '',
  ].join(' ');
  return { clauses, orderBy };
}

/** The SQL reading one listing page's stored rows on its own, its values as parameters. */
export function listingRowsQuery(listing: ListingQuery) {
  const values: unknown[] = [];
  const { clauses, orderBy } = listingClauses(listing, (value, type) => `$${values.push(value)}::${type}`);
  return { text: `SELECT ${TASK_COLUMNS} FROM tasks ${clauses}`, values, orderBy };
}

/**
 * One listing page on its own, as tasks. The rows are formatted once the
 * page is cut: rows an offset skips are never formatted.
 */
export function listTasksQuery(listing: ListingQuery): { text: string; values: unknown[] } {
  const rows = listingRowsQuery(listing);
  return {
    text: `SELECT ${taskFields('page.')} FROM (${rows.text}) page ORDER BY ${rows.orderBy('page')}`,
    values: rows.values,
  };
}

/**
 * Listings whose best plan does not depend on their values: equality
 * filters and a cursor, read in index order. A search, a date range or an
 * offset is planned for its values (a search planned without its text reads
 * the whole table), so those run alone.
 */
export const isBatchable = (listing: ListingQuery) =>
  listing.q === undefined &&
  listing.createdAfter === undefined &&
  listing.createdBefore === undefined &&
  listing.skip === 0;

/** A batched listing's values, as one row of the batch's JSON parameter. */
type BatchRow = { listing: number } & Record<string, unknown>;

/**
 * Listings of one shape (the same SQL but for their values) as one
 * statement: the values of each are a row of one JSON parameter, and each
 * page is read by the index scan it would get alone (LATERAL), so the
 * database does every listing's work while the round trip is shared.
 * `shape` is the statement; equal for listings that can share it.
 */
export function batchedListing(listing: ListingQuery, index: number) {
  const columns = ['listing int'];
  const row: BatchRow = { listing: index };
  const { clauses, orderBy } = listingClauses(listing, (value, type) => {
    const column = `p${columns.length}`;
    columns.push(`${column} ${type}`);
    row[column] = value;
    return `b.${column}`;
  });
  const shape = [
    `SELECT b.listing, ${taskFields('page.')} FROM jsonb_to_recordset($1::jsonb) AS b(${columns.join(', ')})`,
    `CROSS JOIN LATERAL (SELECT ${TASK_COLUMNS} FROM tasks ${clauses}) page`,
    `ORDER BY b.listing, ${orderBy('page')}`,
  ].join(' ');
  return { shape, row };
}

/**
 * The rows of each listing's page (one more than its limit when another page
 * follows), in order: one promise per listing, so a failed statement fails
 * only the listings it was reading.
 */
export function listTaskPages(db: Queryable, listings: readonly ListingQuery[]): Promise<Task[]>[] {
  const batches = new Map<string, BatchRow[]>();
  for (const [index, listing] of listings.entries()) {
    if (!isBatchable(listing)) continue;
    const { shape, row } = batchedListing(listing, index);
    const rows = batches.get(shape);
    if (rows) rows.push(row);
    else batches.set(shape, [row]);
  }
  const batchOf = new Map<number, Promise<Map<number, Task[]>>>();
  for (const [shape, rows] of batches) {
    const pages = listBatch(db, shape, rows);
    for (const row of rows) batchOf.set(row.listing, pages);
  }
  return listings.map((listing, index) => {
    const batch = batchOf.get(index);
    return batch ? batch.then((pages) => pages.get(index) ?? []) : listTasks(db, listing);
  });
}

async function listBatch(db: Queryable, shape: string, rows: BatchRow[]): Promise<Map<number, Task[]>> {
  const result = await db.query<Task & { listing: number }>(shape, [JSON.stringify(rows)]);
  const pages = new Map<number, Task[]>();
  for (const { listing, ...task } of result.rows) {
    const page = pages.get(listing);
    if (page) page.push(task);
    else pages.set(listing, [task]);
  }
  return pages;
}

/**
 * One listing alone. Passed as a query object, which the prepared-statement
 * wrapper leaves unnamed: planned for its values on every run.
 */
async function listTasks(db: Queryable, listing: ListingQuery): Promise<Task[]> {
  const { rows } = await db.query<Task>(listTasksQuery(listing));
  return rows;
}

export interface IdempotencyRecord {
  request_hash: string;
  response: Task;
}

export async function findIdempotencyRecord(db: Queryable, callerId: string, key: string) {
  const { rows } = await db.query<IdempotencyRecord>(
    'SELECT request_hash, response FROM idempotency_keys WHERE caller_id = $1 AND key = $2',
    [callerId, key],
  );
  return rows[0];
}

/** Returns false when a concurrent request recorded this key first (it waited for that one to commit). */
export async function recordIdempotencyKey(
  db: Queryable,
  record: { callerId: string; key: string; requestHash: string; task: Task },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys (caller_id, key, request_hash, task_id, response)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [record.callerId, record.key, record.requestHash, record.task.id, record.task],
  );
  return rowCount === 1;
}
