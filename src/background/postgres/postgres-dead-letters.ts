import type { Database } from '../../infra/db/database.ts';
import type { DeadLetterReview } from '../transport.ts';

/**
 * Review of the in-process queue's dead letters (the `dead_letters` table),
 * with the same operations as RabbitMQ's dead-letter queue. A replay moves
 * the event back to `local_queue` in one statement: attempts start again.
 */
export function localDeadLetters(db: Pick<Database, 'primary'>): DeadLetterReview {
  return {
    async list() {
      const { rows } = await db.primary.query<{
        event_id: string;
        payload: Record<string, unknown>;
        attempts: number;
        last_error: string;
        failed_at: Date;
      }>('SELECT event_id, payload, attempts, last_error, failed_at FROM dead_letters ORDER BY failed_at');
      return rows.map((row) => ({
        eventId: row.event_id,
        taskId: row.payload.task_id as string | undefined,
        attempts: row.attempts,
        lastError: row.last_error,
        failedAt: row.failed_at.toISOString(),
        requestId: row.payload.request_id,
        body: row.payload,
      }));
    },
    async replay(eventId?: string) {
      const { rowCount } = await db.primary.query(
        `WITH moved AS (DELETE FROM dead_letters WHERE $1::uuid IS NULL OR event_id = $1::uuid RETURNING event_id, payload)
         INSERT INTO local_queue (event_id, payload) SELECT event_id, payload FROM moved ON CONFLICT (event_id) DO NOTHING`,
        [eventId ?? null],
      );
      return rowCount ?? 0;
    },
    async purge() {
      return (await db.primary.query('DELETE FROM dead_letters')).rowCount ?? 0;
    },
  };
}
