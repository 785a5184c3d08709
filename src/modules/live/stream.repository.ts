/** The SQL of the live stream: events by position, straight from the outbox. */
import type { Queryable } from '../../infra/db/database.ts';

export interface StreamEvent {
  position: number;
  type: string;
  ownerId: string;
  /** The owner before the change, when the change handed the task over. */
  previousOwnerId: string | null;
  /** The event as JSON text (without the creator's e-mail address): sent as is. */
  data: string;
}

/** Who may receive an event: the task's owner (and its previous one), or everything. */
export interface StreamAudience {
  ownerId?: string | undefined;
}

const BATCH = 500;

/** Events after `after` (up to `through` when given), oldest first, at most one batch. */
export async function eventsAfter(
  db: Queryable,
  after: number,
  options: { through?: number; audience?: StreamAudience } = {},
): Promise<StreamEvent[]> {
  const { rows } = await db.query<{
    position: string;
    type: string;
    owner_id: string;
    previous_owner_id: string | null;
    data: string;
  }>(
    `SELECT stream_position AS position, type, payload->>'owner_id' AS owner_id,
            payload->'changes'->'owner_id'->>'before' AS previous_owner_id,
            (payload - 'owner_email')::text AS data
     FROM outbox
     WHERE stream_position > $1 AND ($2::bigint IS NULL OR stream_position <= $2)
       AND ($3::text IS NULL OR payload->>'owner_id' = $3 OR payload->'changes'->'owner_id'->>'before' = $3)
     ORDER BY stream_position LIMIT ${BATCH}`,
    [after, options.through ?? null, options.audience?.ownerId ?? null],
  );
  return rows.map((row) => ({
    position: Number(row.position),
    type: row.type,
    ownerId: row.owner_id,
    previousOwnerId: row.previous_owner_id,
    data: row.data,
  }));
}
export const STREAM_BATCH = BATCH;

/** The newest position, and the oldest still kept (retention prunes the outbox from the old end). */
export async function streamBounds(db: Queryable): Promise<{ newest: number; oldest: number | null }> {
  const { rows } = await db.query<{ newest: string | null; oldest: string | null }>(
    'SELECT max(stream_position) AS newest, min(stream_position) AS oldest FROM outbox',
  );
  return { newest: Number(rows[0]?.newest ?? 0), oldest: rows[0]?.oldest ? Number(rows[0].oldest) : null };
}
