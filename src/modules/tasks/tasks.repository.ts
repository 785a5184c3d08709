/**
 * All SQL about tasks. Columns are already named as the API names its fields;
 * rows are mapped to `Task` (timestamps as RFC 3339 UTC strings) here and
 * nowhere else. Statements are unnamed (PgBouncer transaction mode).
 */
import type { Queryable } from '../../infra/db/database.ts';
import type { EventContext } from './tasks.events.ts';
import type { ListingQuery } from './tasks.query.ts';
import type { Task, TaskStatus } from './tasks.schemas.ts';

interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  owner_id: string;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const COLUMNS = 'id, title, description, status, owner_id, created_at, updated_at, version';
/** The text `q` searches; the same expression as the trigram index, so the index applies. */
const SEARCH_TEXT = `(title || ' ' || coalesce(description, ''))`;
const NOW = `date_trunc('milliseconds', now())`;

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    owner_id: row.owner_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    version: row.version,
  };
}

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
  const { rows } = await db.query<TaskRow>(`SELECT ${COLUMNS} FROM tasks WHERE id = $1${lock}`, [id]);
  return rows[0] ? toTask(rows[0]) : undefined;
}

/** The tasks among `ids` (any order; ids with no task are simply absent). */
export async function findTasks(db: Queryable, ids: readonly string[]): Promise<Task[]> {
  const { rows } = await db.query<TaskRow>(`SELECT ${COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map(toTask);
}

const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

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
  const { rows } = await db.query<TaskRow>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
         WITH ORDINALITY AS i(id, title, description, status, owner_id, event_id, owner_email, request_id, position)
     ), task AS (
       INSERT INTO tasks (id, title, description, status, owner_id)
       SELECT id, title, description, status, owner_id FROM input ORDER BY position
       RETURNING ${COLUMNS}
     ), event AS (
       INSERT INTO outbox (event_id, type, payload)
       SELECT i.event_id, 'task.created', jsonb_build_object(
         'version', 1, 'event_id', i.event_id::text, 'type', 'task.created', 'task_id', t.id,
         'owner_id', t.owner_id, 'owner_email', i.owner_email,
         'occurred_at', to_char(t.created_at AT TIME ZONE 'UTC', ${RFC3339_MS}), 'request_id', i.request_id)
       FROM task t JOIN input i ON i.id = t.id
       ORDER BY i.position
     )
     SELECT ${COLUMNS} FROM task`,
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
  const byId = new Map(rows.map((row) => [row.id, toTask(row)]));
  return items.map(({ task }) => byId.get(task.id) as Task);
}

export async function updateTask(db: Queryable, id: string, changes: TaskChanges): Promise<Task> {
  const { rows } = await db.query<TaskRow>(
    `UPDATE tasks SET title = $2, description = $3, status = $4, owner_id = $5,
       version = version + 1, updated_at = ${NOW}
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, changes.title, changes.description, changes.status, changes.owner_id],
  );
  return toTask(rows[0] as TaskRow);
}

export async function deleteTask(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM tasks WHERE id = $1', [id]);
}

/** `%`, `_` and `\` in the search text are literal characters, not patterns. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The SQL of one listing page, plus one row more to tell whether another page
 * follows. Every filter is an equality or range the indexes serve, and the
 * order `(key, id)` is total, so keyset paging neither skips nor repeats.
 */
export function listTasksQuery(listing: ListingQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where: string[] = [];
  const key = listing.sort.endsWith('updated_at') ? 'updated_at' : 'created_at';
  const descending = listing.sort.startsWith('-');

  if (listing.ownerId !== undefined) where.push(`owner_id = ${param(listing.ownerId)}`);
  if (listing.statuses?.length === 1) where.push(`status = ${param(listing.statuses[0])}`);
  else if (listing.statuses) where.push(`status = ANY(${param(listing.statuses)}::text[])`);
  if (listing.createdAfter) {
    where.push(`created_at > ${param(listing.createdAfter)}`);
    // Implied by updated_at >= created_at (a table rule), and lets an updated_at index scan start at the bound.
    if (key === 'updated_at') where.push(`updated_at > ${param(listing.createdAfter)}`);
  }
  if (listing.createdBefore) where.push(`created_at < ${param(listing.createdBefore)}`);
  if (listing.q !== undefined) where.push(`${SEARCH_TEXT} ILIKE ${param(likePattern(listing.q))}`);
  if (listing.after) {
    where.push(
      `(${key}, id) ${descending ? '<' : '>'} (${param(listing.after.key)}, ${param(listing.after.id)})`,
    );
  }
  const direction = descending ? 'DESC' : 'ASC';
  const text = [
    `SELECT ${COLUMNS} FROM tasks`,
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY ${key} ${direction}, id ${direction}`,
    `LIMIT ${param(listing.limit + 1)}`,
    listing.skip > 0 ? `OFFSET ${param(listing.skip)}` : '',
  ].join(' ');
  return { text, values };
}

export async function listTasks(db: Queryable, listing: ListingQuery): Promise<Task[]> {
  const { rows } = await db.query<TaskRow>(listTasksQuery(listing));
  return rows.map(toTask);
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
