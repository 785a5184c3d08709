/** All SQL reading a task's history (the writes are the tasks module's, with the change). */
import type { Queryable } from '../../infra/db/database.ts';
import type { TaskHistoryEntry } from './history.schemas.ts';

const RFC3339_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** A task's entries newest first, below `beforeVersion` when given; one more than `limit` tells a next page. */
export async function historyPage(
  db: Queryable,
  taskId: string,
  beforeVersion: number | undefined,
  limit: number,
): Promise<TaskHistoryEntry[]> {
  const { rows } = await db.query<TaskHistoryEntry>(
    `SELECT version, type, event_id, actor_id, owner_id, request_id,
            to_char(occurred_at AT TIME ZONE 'UTC', ${RFC3339_MS}) AS occurred_at, changes,
            encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash
     FROM task_history WHERE task_id = $1 AND ($2::int IS NULL OR version < $2)
     ORDER BY version DESC LIMIT $3`,
    [taskId, beforeVersion ?? null, limit + 1],
  );
  return rows;
}

/** The task's current owner, or null once it is deleted; undefined when it never had history. */
export async function ownerOf(db: Queryable, taskId: string): Promise<string | null | undefined> {
  const { rows } = await db.query<{ owner_id: string | null }>(
    `SELECT (SELECT owner_id FROM tasks WHERE id = $1) AS owner_id
     WHERE EXISTS (SELECT 1 FROM tasks WHERE id = $1) OR EXISTS (SELECT 1 FROM task_history WHERE task_id = $1)`,
    [taskId],
  );
  return rows.length === 0 ? undefined : (rows[0]?.owner_id ?? null);
}
