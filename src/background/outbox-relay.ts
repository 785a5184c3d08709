/**
 * The outbox relay: publishes recorded events in order and marks them
 * published, in batches. A batch runs in one transaction that lasts until
 * the broker has confirmed every message, under a transaction-level
 * advisory lock: of several relays (workers) one publishes at a time, so
 * batches never overtake each other and a task's events reach the broker
 * in version order; the others find the lock taken and wait for their next
 * turn. A relay that dies mid-batch leaves its rows pending for the next
 * (at-least-once: consumers deduplicate by event id). A broker that is
 * down only delays events: the batch rolls back and is retried after a pause.
 */
import type { Database } from '../infra/db/database.ts';
import { PollingLoop } from '../infra/polling-loop.ts';

/** Arbitrary, fixed: the advisory lock every relay agrees on (the migrator's is 727_001). */
const RELAY_LOCK_KEY = 727_016;

export interface OutboxEvent {
  id: number;
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
}

/** Resolves once the broker has confirmed every event (publisher confirms). */
export interface EventPublisher {
  publish(events: OutboxEvent[]): Promise<void>;
}

export interface RelayOptions {
  batchSize?: number;
  /** Pause when there was nothing to relay. */
  idleMs?: number;
  /** Pause after a failed batch (broker or database down). */
  retryMs?: number;
  onError?: (error: unknown) => void;
  /** Called with the size of each confirmed batch (metrics). */
  onPublished?: (count: number) => void;
}

export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: Pick<Database, 'transaction'>,
    private readonly publisher: EventPublisher,
    private readonly options: RelayOptions = {},
  ) {
    this.loop = new PollingLoop(() => this.relayBatch(), options);
  }

  /** Publishes one batch; returns how many events it published. */
  async relayBatch(): Promise<number> {
    const { result: published } = await this.db.transaction(async (client) => {
      const { rows: lock } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS held',
        [RELAY_LOCK_KEY],
      );
      if (!lock[0]?.held) return 0;
      const { rows } = await client.query<{
        id: string;
        event_id: string;
        type: string;
        payload: Record<string, unknown>;
      }>(
        `SELECT id, event_id, type, payload FROM outbox WHERE published_at IS NULL
          ORDER BY id LIMIT $1`,
        [this.options.batchSize ?? 100],
      );
      if (rows.length === 0) return 0;
      const events = rows.map((row) => ({
        id: Number(row.id),
        eventId: row.event_id,
        type: row.type,
        payload: row.payload,
      }));
      await this.publisher.publish(events);
      // Rows locked in id order, as the stream sequencer locks them (stream-sequencer.ts): two
      // updates of the same rows taking their locks in different orders deadlock.
      await client.query(
        `UPDATE outbox SET published_at = now()
          WHERE id IN (SELECT id FROM outbox WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE)`,
        [events.map((event) => event.id)],
      );
      return events.length;
    });
    if (published > 0) this.options.onPublished?.(published);
    return published;
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
