/**
 * The transport without AMQP_URL: a queue in PostgreSQL, durable like
 * RabbitMQ's, with the same rules. The relay publishes into `local_queue`
 * (the insert is the confirm; an event published twice is one row); the
 * consumer takes due rows with `FOR UPDATE SKIP LOCKED`, hands each to the
 * same dispatcher as the RabbitMQ consumer, and then deletes it, schedules
 * its next attempt after a growing delay, or moves it to `dead_letters`.
 * Its tables come with the migrations: nothing to declare at start.
 */
import type { Database } from '../../infra/db/database.ts';
import { PollingLoop } from '../../infra/polling-loop.ts';
import type { HandleEvent } from '../dispatcher.ts';
import type { EventPublisher, OutboxEvent } from '../outbox-relay.ts';
import { retryDelayMs } from '../retry-policy.ts';
import type { DeliveryHooks, MessageOutcome } from '../transport.ts';

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

export interface LocalConsumerOptions extends DeliveryHooks {
  retryBaseMs: number;
  batchSize?: number;
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class LocalQueueConsumer {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: Pick<Database, 'transaction'>,
    private readonly handle: HandleEvent,
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
