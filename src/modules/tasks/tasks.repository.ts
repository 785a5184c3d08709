/**
 * All SQL about tasks but listings (tasks.listing-sql.ts). Columns are already named as the API names its fields,
 * and selected as the API shows them (timestamps as RFC 3339 UTC strings), so
 * a row is a `Task`. Statements are unnamed (PgBouncer transaction mode).
 */
import type { Queryable } from '../../infra/db/database.ts';
import { CHANGE_COLUMNS, recordEvents } from './tasks.event-log.ts';
import type { EventContext } from './tasks.events.ts';
import { type Task, TaskPriorities, type TaskPriority, type TaskStatus } from './tasks.schemas.ts';

/** A task's stored columns. */
export const TASK_COLUMNS =
  'id, title, description, status, owner_id, created_at, updated_at, version, due_at, priority, labels, completed_at';
const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const rfc3339 = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${RFC3339_MS})`;
/**
 * A task's columns as its fields (of `table` when given): the database
 * formats the timestamps, which costs it less than parsing them into Dates
 * and back costs the API (docs/performance.md).
 */
export const taskFields = (table = '') =>
  `${table}id, ${table}title, ${table}description, ${table}status, ${table}owner_id, ` +
  `${rfc3339(`${table}created_at`)} AS created_at, ${rfc3339(`${table}updated_at`)} AS updated_at, ${table}version, ` +
  `${rfc3339(`${table}due_at`)} AS due_at, ${PRIORITY_WORDS}[${table}priority + 1] AS priority, ${table}labels, ` +
  `${rfc3339(`${table}completed_at`)} AS completed_at`;
/** Priorities are stored as their rank (migration 010): rank n is the word at n + 1. */
const PRIORITY_WORDS = `(ARRAY[${TaskPriorities.map((word) => `'${word}'`).join(', ')}])`;
export const priorityRank = (priority: TaskPriority) => TaskPriorities.indexOf(priority);
/** A task row as the JSON its events record (`to_jsonb`): its fields, its priority as the API's word. */
export const rowJson = (row: string) =>
  `((to_jsonb(${row}) - 'search_text') || jsonb_build_object('priority', ${PRIORITY_WORDS}[${row}.priority + 1]))`;
export const TASK_FIELDS = taskFields();
export const NOW = `date_trunc('milliseconds', now())`;

/** The writable fields of a task. */
export type TaskChanges = Pick<
  Task,
  'title' | 'description' | 'status' | 'owner_id' | 'due_at' | 'priority' | 'labels'
>;

export interface NewTask extends TaskChanges {
  id: string;
  status: TaskStatus;
}

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
 * Inserts tasks with their `task.created` events (history and outbox) in
 * one statement: atomic without a transaction around it, one round trip
 * for all of them, and each event is built from its stored row. Returns the
 * tasks in the order given; the events are in the outbox in that order too.
 */
export async function insertTasksWithEvents(
  db: Queryable,
  items: readonly NewTaskWithEvent[],
): Promise<Task[]> {
  const column = <T>(of: (item: NewTaskWithEvent) => T) => items.map(of);
  const { rows } = await db.query<Task>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[],
                            $8::text[], $9::text[], $10::timestamptz[], $11::smallint[], $12::text[])
         WITH ORDINALITY AS i(id, title, description, status, owner_id, event_id, owner_email, request_id,
                              actor_id, due_at, priority, labels_json, position)
     ), task AS (
       INSERT INTO tasks (id, title, description, status, owner_id, due_at, priority, labels)
       SELECT id, title, description, status, owner_id, due_at, priority,
         ARRAY(SELECT jsonb_array_elements_text(labels_json::jsonb))
       FROM input ORDER BY position
       RETURNING *
     ), change (${CHANGE_COLUMNS}) AS (
       SELECT t.id, t.version, t.owner_id, t.created_at, NULL::jsonb, ${rowJson('t')}, i.actor_id, i.request_id,
              i.event_id, i.owner_email, i.position
       FROM task t JOIN input i ON i.id = t.id
     ), ${recordEvents('task.created')}
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
      column((item) => item.event.actorId),
      column((item) => item.task.due_at),
      column((item) => priorityRank(item.task.priority)),
      // Arrays of arrays do not go through unnest (it flattens them): each set travels as JSON.
      column((item) => JSON.stringify(item.task.labels)),
    ],
  );
  const byId = new Map(rows.map((task) => [task.id, task]));
  return items.map(({ task }) => byId.get(task.id) as Task);
}

/** The event of a change to one existing task: who made it, in which request. */
const eventParameters = (event: EventContext) => [event.actorId, event.requestId, event.eventId];

export async function deleteTask(db: Queryable, id: string, event: EventContext): Promise<void> {
  await db.query(
    `WITH task AS (DELETE FROM tasks WHERE id = $1 RETURNING *), change (${CHANGE_COLUMNS}) AS (
       SELECT t.id, t.version + 1, t.owner_id, ${NOW}, ${rowJson('t')}, NULL::jsonb, $2::text, $3::text, $4::uuid,
              NULL::text, 1
       FROM task t
     ), ${recordEvents('task.deleted')}
     SELECT 1 FROM task`,
    [id, ...eventParameters(event)],
  );
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
