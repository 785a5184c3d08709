/**
 * The SQL that records a write's event: its history entry (hash-chained to
 * the task's previous entry) and its outbox row, as common table
 * expressions appended to the statement that makes the change. One
 * statement: no change without its event, whatever fails.
 *
 * The statement defines a CTE `change` with one row per changed task and
 * the columns below; `before`/`after` are the task rows as JSON (null for
 * a creation / a deletion), so the diff covers every column, new ones too.
 * Writes to one task are serialized by its row lock (or, for a creation,
 * are its first), so reading its last entry's hash here is race-free.
 */
import type { TaskEventType } from './tasks.events.ts';

/** The columns every `change` CTE provides, in this order. */
export const CHANGE_COLUMNS =
  'task_id, version, owner_id, occurred_at, before, after, actor_id, request_id, event_id, owner_email, position';

const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The previous link of the chain: the task's last entry, or where pruning left its chain. */
const PREVIOUS_HASH = `coalesce(
  (SELECT hash FROM task_history WHERE task_id = c.task_id ORDER BY version DESC LIMIT 1),
  (SELECT hash FROM task_history_anchors WHERE task_id = c.task_id))`;

/**
 * `history` and `event` CTEs for the rows of `change`, to follow it in a
 * `WITH` list. A created task has no previous entry, so none is looked up.
 */
export function recordEvents(type: TaskEventType): string {
  const previous = type === 'task.created' ? 'NULL::bytea' : PREVIOUS_HASH;
  return `
    entry AS (
      SELECT c.*, '${type}'::text AS type, d.changes, p.hash AS prev_hash
      FROM change c
      CROSS JOIN LATERAL (SELECT task_changes(c.before, c.after) AS changes) d
      CROSS JOIN LATERAL (SELECT ${previous} AS hash) p
    ), history AS (
      INSERT INTO task_history (task_id, version, type, event_id, actor_id, owner_id, request_id,
                                occurred_at, changes, prev_hash, hash)
      SELECT task_id, version, type, event_id, actor_id, owner_id, request_id, occurred_at, changes, prev_hash,
             task_history_hash(prev_hash, task_id, version, type, event_id, actor_id, owner_id, request_id,
                               occurred_at, changes)
      FROM entry ORDER BY position
    ), event AS (
      INSERT INTO outbox (event_id, type, payload)
      SELECT event_id, type, jsonb_build_object(
        'version', 2, 'event_id', event_id, 'type', type, 'task_id', task_id, 'task_version', version,
        'owner_id', owner_id, 'actor_id', actor_id, 'owner_email', owner_email,
        'occurred_at', to_char(occurred_at AT TIME ZONE 'UTC', ${RFC3339_MS}),
        'request_id', request_id, 'changes', changes)
      FROM entry ORDER BY position
    )`;
}
