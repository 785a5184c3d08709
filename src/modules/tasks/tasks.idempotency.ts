/**
 * Idempotency keys of the writes whose answer is made once and replayed (an
 * import, a bulk change): the key is claimed first, in the write's own
 * transaction, so a concurrent request under the same key waits for that one
 * and then replays its answer, and a write that fails or is refused leaves no
 * key behind (the corrected request may reuse it).
 */
import { AppError } from '../../errors/app-error.ts';
import type { Queryable } from '../../infra/db/database.ts';

/** The tables of such keys (migrations 037 and 045): written into the SQL, never the client's text. */
export type KeyTable = 'task_imports' | 'task_bulk_changes';

export interface KeyClaim {
  table: KeyTable;
  callerId: string;
  key: string;
  /** The request's fingerprint: the same key with another body is 409. */
  requestHash: string;
}

/**
 * Claims the key for this request, with its answer when already known; returns
 * the earlier answer when another request holds the key with the same body.
 */
export async function claimKey<T>(client: Queryable, claim: KeyClaim, answer?: T): Promise<T | undefined> {
  const { table, callerId, key, requestHash } = claim;
  // A concurrent request under the same key waits here until that one commits or rolls back.
  const claimed = await client.query(
    `INSERT INTO ${table} (caller_id, key, request_hash, result) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [callerId, key, requestHash, JSON.stringify(answer ?? null)],
  );
  if (claimed.rowCount === 1) return undefined;
  const { rows } = await client.query<{ request_hash: string; result: T }>(
    `SELECT request_hash, result FROM ${table} WHERE caller_id = $1 AND key = $2`,
    [callerId, key],
  );
  const earlier = rows[0] as { request_hash: string; result: T };
  if (earlier.request_hash !== requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different body.');
  }
  return earlier.result;
}

/** The answer of a claimed key, once the write has made it. */
export async function recordAnswer<T>(client: Queryable, claim: KeyClaim, answer: T): Promise<void> {
  await client.query(`UPDATE ${claim.table} SET result = $3 WHERE caller_id = $1 AND key = $2`, [
    claim.callerId,
    claim.key,
    JSON.stringify(answer),
  ]);
}
