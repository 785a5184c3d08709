/**
 * A change to one task (PATCH, PUT) as one statement: the task's new
 * fields, its history entry and its outbox row, written only when the row
 * still is the one read (same version), the caller may change it, its
 * `If-Match` holds and something changes. One round trip on its own
 * (autocommit) instead of BEGIN / SELECT … FOR UPDATE / UPDATE / COMMIT.
 *
 * Concurrency: the statement reads the task in its snapshot (`before`) and
 * updates it only at that version. A write committed in between makes the
 * update (re-checked on the newest row) find nothing, so nothing is
 * written, and the caller falls back to the locked path. Either way the
 * history entry follows the version it was computed from: the chain holds.
 */
import type { Queryable } from '../../infra/db/database.ts';
import { CHANGE_COLUMNS, recordEvents } from './tasks.event-log.ts';
import type { EventContext } from './tasks.events.ts';
import { NOW, priorityRank, rowJson, TASK_FIELDS, type TaskChanges } from './tasks.repository.ts';
import type { Task } from './tasks.schemas.ts';

/** The fields a change sets; an absent field keeps its value (`description`, `due_at` may be set to null). */
export type ChangeRequest = Partial<TaskChanges>;

/** What the database is to check before writing: who may change the task, and the versions `If-Match` names. */
export interface ChangeGuard {
  /** Only this owner's task may change; null: any task (an admin). */
  ownerId: string | null;
  /** The versions `If-Match` accepts; null: no precondition (no header, or `*`). */
  versions: number[] | null;
}

export interface ChangeOutcome {
  /** true: written, `task` is the new row; false: nothing written, `task` is the row as read (if any). */
  changed: boolean;
  task: Task | undefined;
}

const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** Compared as the API shows them, so that a change is what a client would see as one. */
const SHOWN = (row: string) =>
  `(${row}.title, ${row}.description, ${row}.status, ${row}.owner_id, ` +
  `to_char(${row}.due_at AT TIME ZONE 'UTC', ${RFC3339_MS}), ${row}.priority, ${row}.labels)`;

/** The statement and its values (the pgbench ceiling runs this very text, docs/performance.md). */
export function changeTaskQuery(
  id: string,
  request: ChangeRequest,
  guard: ChangeGuard,
  event: EventContext,
): { text: string; values: unknown[] } {
  const text = `WITH before AS (SELECT * FROM tasks WHERE id = $1),
     next AS (
       SELECT b.id, b.version, coalesce($2::text, b.title) AS title,
         CASE WHEN $3::boolean THEN $4::text ELSE b.description END AS description,
         coalesce($5::text, b.status) AS status, coalesce($6::text, b.owner_id) AS owner_id,
         CASE WHEN $7::boolean THEN $8::timestamptz ELSE b.due_at END AS due_at,
         coalesce($9::smallint, b.priority) AS priority, coalesce($10::text[], b.labels) AS labels
       FROM before b
       WHERE ($11::text IS NULL OR b.owner_id = $11::text) AND ($12::int[] IS NULL OR b.version = ANY($12::int[]))
     ), task AS (
       UPDATE tasks t SET title = n.title, description = n.description, status = n.status, owner_id = n.owner_id,
         due_at = n.due_at, priority = n.priority, labels = n.labels, version = t.version + 1, updated_at = ${NOW}
       FROM next n
       WHERE t.id = n.id AND t.version = n.version AND ${SHOWN('t')} IS DISTINCT FROM ${SHOWN('n')}
       RETURNING t.*
     ), change (${CHANGE_COLUMNS}) AS (
       SELECT t.id, t.version, t.owner_id, t.updated_at, ${rowJson('b')}, ${rowJson('t')}, $13::text, $14::text,
              $15::uuid, NULL::text, 1
       FROM task t, before b
     ), ${recordEvents('task.updated')}
     SELECT true AS changed, ${TASK_FIELDS} FROM task
     UNION ALL
     SELECT false, ${TASK_FIELDS} FROM before WHERE NOT EXISTS (SELECT 1 FROM task)`;
  const values = [
    id,
    request.title ?? null,
    request.description !== undefined,
    request.description ?? null,
    request.status ?? null,
    request.owner_id ?? null,
    request.due_at !== undefined,
    request.due_at ?? null,
    request.priority === undefined ? null : priorityRank(request.priority),
    request.labels ?? null,
    guard.ownerId,
    guard.versions,
    event.actorId,
    event.requestId,
    event.eventId,
  ];
  return { text, values };
}

/** completed_at follows the status by a trigger of the table (migration 010). */
export async function changeTask(
  db: Queryable,
  id: string,
  request: ChangeRequest,
  guard: ChangeGuard,
  event: EventContext,
): Promise<ChangeOutcome> {
  const { text, values } = changeTaskQuery(id, request, guard, event);
  const { rows } = await db.query<Task & { changed: boolean }>(text, values);
  const row = rows[0];
  if (!row) return { changed: false, task: undefined };
  const { changed, ...task } = row;
  return { changed, task };
}
