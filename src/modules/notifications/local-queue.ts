/**
 * The embedded start's queue, in PostgreSQL (no AMQP_URL): durable like
 * RabbitMQ's, with the same rules. The relay publishes into `local_queue`
 * (the insert is the confirm; an event published twice is one row); the
 * consumer takes due rows with `FOR UPDATE SKIP LOCKED`, handles each with
 * the same handler as the RabbitMQ consumer, and then deletes it, schedules
 * its next attempt after a growing delay, or moves it to `dead_letters`.
 */
import type { Database } from '../../infra/db/database.ts';
import { PollingLoop } from '../../infra/polling-loop.ts';
import type { MessageOutcome } from '../../observability/worker-metrics.ts';
import type { EventPublisher, OutboxEvent } from '../events/outbox-relay.ts';
import type { DeadLetterReview } from './dead-letters.ts';
import { type NotificationHandler, retryDelayMs } from './notifications.handler.ts';

export function localQueuePublisher(db: Pick<Database, 'primary'>): EventPublisher {
  return {
    async publish(events: OutboxEvent[]) {
      await db.primary.query(
        `INSERT INTO local_queue (event_id, payload)
         SELECT * FROM unnest($1::uuid[], $2::jsonb[]) ON CONFLICT (event_id) DO NOTHING`,
        [events.map((event) => event.eventId), events.map((event) => JSON.stringify(event.payload))],
      );
    },
  };
}

export interface LocalConsumerOptions {
  retryBaseMs: number;
  batchSize?: number;
  pollMs?: number;
  onHandled?: (outcome: MessageOutcome, seconds: number) => void;
  onError?: (error: unknown) => void;
}

export class LocalQueueConsumer {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: Pick<Database, 'transaction'>,
    private readonly handle: NotificationHandler,
    private readonly options: LocalConsumerOptions,
  ) {
    this.loop = new PollingLoop(() => this.consumeBatch(), {
      idleMs: options.pollMs,
      onError: options.onError,
    });
  }

  /** Handles the due events of one batch; returns how many. */
  async consumeBatch(): Promise<number> {
    const { result: handled } = await this.db.transaction(async (client) => {
      const { rows } = await client.query<{
        event_id: string;
        payload: Record<string, unknown>;
        attempt: number;
      }>(
        `SELECT event_id, payload, attempt FROM local_queue WHERE available_at <= now()
            ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? 20],
      );
      for (const row of rows) {
        const started = performance.now();
        const result = await this.handle(row.payload, row.attempt, row.payload.request_id);
        let outcome: MessageOutcome;
        if (result.outcome !== 'failed') {
          outcome = result.outcome;
          await client.query('DELETE FROM local_queue WHERE event_id = $1', [row.event_id]);
        } else if (result.final) {
          outcome = 'dead_lettered';
          await client.query(
            `INSERT INTO dead_letters (event_id, payload, attempts, last_error) VALUES ($1, $2, $3, $4)
               ON CONFLICT (event_id) DO UPDATE SET attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, failed_at = now()`,
            [row.event_id, row.payload, row.attempt, result.reason],
          );
          await client.query('DELETE FROM local_queue WHERE event_id = $1', [row.event_id]);
        } else {
          outcome = 'retried';
          await client.query(
            `UPDATE local_queue SET attempt = attempt + 1, last_error = $2,
                 available_at = now() + make_interval(secs => $3 / 1000.0) WHERE event_id = $1`,
            [row.event_id, result.reason, retryDelayMs(this.options.retryBaseMs, row.attempt)],
          );
        }
        this.options.onHandled?.(outcome, (performance.now() - started) / 1000);
      }
      return rows.length;
    });
    return handled;
  }

  /** Runs batches until `stop()`: one after another while there is work, then polling. */
  start(): void {
    this.loop.start();
  }

  /** Finishes the batch in progress, then returns. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

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
