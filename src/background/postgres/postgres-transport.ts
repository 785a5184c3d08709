/** The transport without AMQP_URL: the PostgreSQL queue (postgres-queue.ts) and its dead letters. */
import type { Database } from '../../infra/db/database.ts';
import type { EventTransport } from '../transport.ts';
import { localDeadLetters } from './postgres-dead-letters.ts';
import { LocalQueueConsumer, localQueuePublisher } from './postgres-queue.ts';

export function postgresTransport(
  db: Pick<Database, 'primary' | 'transaction'>,
  options: { retryBaseMs: number; pollMs?: number; onError: (error: unknown) => void },
): EventTransport {
  let consumer: LocalQueueConsumer | undefined;
  return {
    description: 'the PostgreSQL queue (local_queue; no AMQP_URL)',
    publisher: localQueuePublisher(db),
    // Its tables are the migrations': they exist before any worker starts.
    ready: Promise.resolve(),
    deadLetters: localDeadLetters(db),
    consume(handle, hooks) {
      if (consumer) return;
      consumer = new LocalQueueConsumer(db, handle, { ...options, ...hooks });
      consumer.start();
    },
    async close() {
      await consumer?.stop();
    },
  };
}
