/**
 * The history's hash chain: verifying it and pruning it.
 *
 * Verification recomputes every entry's hash from its stored content and
 * checks that it follows the entry before it: the same version + 1 and
 * `prev_hash` equal to that entry's hash. A chain's first kept entry must
 * follow its anchor (where pruning cut the chain) or, without one, have no
 * previous hash (a task's first entry; a seeded task's first change).
 *
 * Pruning removes a prefix of each chain (the entries up to the last one
 * older than the cutoff) and records the last removed entry as the chain's
 * anchor, so what is kept is still verifiable from its new start. A chain
 * ending in a deletion that is pruned whole needs no anchor.
 */
import type { Queryable } from '../../infra/db/database.ts';

export interface BrokenLink {
  taskId: string;
  version: number;
  problem: string;
}

export interface ChainReport {
  entries: number;
  tasks: number;
  /** The first broken links, in (task, version) order; empty when every chain holds. */
  broken: BrokenLink[];
}

const BROKEN_LINKS = `
  SELECT task_id, version, CASE
      WHEN hash <> recomputed THEN 'its content does not match its hash (altered)'
      WHEN n > 1 AND version <> prev_version + 1 THEN 'entries before it are missing (version ' || prev_version || ' precedes it)'
      WHEN n > 1 AND prev_hash IS DISTINCT FROM prev_stored THEN 'its previous hash is not the hash of version ' || prev_version
      WHEN n = 1 AND anchor_version IS NOT NULL AND (version <> anchor_version + 1 OR prev_hash IS DISTINCT FROM anchor_hash)
        THEN 'it does not follow where pruning cut the chain (version ' || anchor_version || ')'
      WHEN n = 1 AND anchor_version IS NULL AND prev_hash IS NOT NULL THEN 'the entries before it are missing'
    END AS problem
  FROM (
    SELECT h.task_id, h.version, h.hash, h.prev_hash,
           task_history_hash(h.prev_hash, h.task_id, h.version, h.type, h.event_id, h.actor_id, h.owner_id,
                             h.request_id, h.occurred_at, h.changes) AS recomputed,
           lag(h.hash) OVER w AS prev_stored, lag(h.version) OVER w AS prev_version, row_number() OVER w AS n,
           a.version AS anchor_version, a.hash AS anchor_hash
    FROM task_history h LEFT JOIN task_history_anchors a ON a.task_id = h.task_id
    WHERE $1::uuid IS NULL OR h.task_id = $1::uuid
    WINDOW w AS (PARTITION BY h.task_id ORDER BY h.version)
  ) entry`;

/** Checks one task's chain (`taskId`) or every chain; lists at most `limit` broken links. */
export async function verifyChains(db: Queryable, taskId?: string, limit = 20): Promise<ChainReport> {
  const [counts, broken] = await Promise.all([
    db.query<{ entries: number; tasks: number }>(
      `SELECT count(*)::int AS entries, count(DISTINCT task_id)::int AS tasks FROM task_history
       WHERE $1::uuid IS NULL OR task_id = $1::uuid`,
      [taskId ?? null],
    ),
    db.query<{ task_id: string; version: number; problem: string }>(
      `SELECT * FROM (${BROKEN_LINKS}) checked WHERE problem IS NOT NULL ORDER BY task_id, version LIMIT $2`,
      [taskId ?? null, limit],
    ),
  ]);
  return {
    entries: counts.rows[0]?.entries ?? 0,
    tasks: counts.rows[0]?.tasks ?? 0,
    broken: broken.rows.map((row) => ({ taskId: row.task_id, version: row.version, problem: row.problem })),
  };
}

/**
 * Removes the entries older than `before`, at most `taskLimit` chains per
 * call (a bounded transaction however large the table); returns how many
 * entries it removed (0: nothing left to prune).
 */
export async function pruneHistory(db: Queryable, before: Date, taskLimit = 1000): Promise<number> {
  const { rows } = await db.query<{ removed: number }>(
    `WITH cut AS (
       SELECT task_id, max(version) AS version FROM task_history WHERE occurred_at < $1
       GROUP BY task_id LIMIT $2
     ), gone AS (
       DELETE FROM task_history h USING cut WHERE h.task_id = cut.task_id AND h.version <= cut.version
       RETURNING h.task_id, h.version, h.hash, h.type
     ), last AS (
       SELECT DISTINCT ON (task_id) task_id, version, hash, type FROM gone ORDER BY task_id, version DESC
     ), anchored AS (
       INSERT INTO task_history_anchors (task_id, version, hash)
       SELECT task_id, version, hash FROM last WHERE type <> 'task.deleted'
       ON CONFLICT (task_id) DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash
     ), ended AS (
       DELETE FROM task_history_anchors a USING last WHERE a.task_id = last.task_id AND last.type = 'task.deleted'
     )
     SELECT count(*)::int AS removed FROM gone`,
    [before, taskLimit],
  );
  return rows[0]?.removed ?? 0;
}
