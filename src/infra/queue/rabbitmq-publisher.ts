/**
 * Publishes task events to RabbitMQ with publisher confirms, through
 * `rabbitmq-client`, which reconnects and re-declares the queue by itself
 * after a broker restart. `task_processing` is a durable quorum queue;
 * messages are persistent, carry the event id as `messageId` (consumers
 * deduplicate by it) and the causing request's id as `x-request-id`.
 */
import { Connection } from 'rabbitmq-client';
import type { EventPublisher, OutboxEvent } from '../../modules/events/outbox-relay.ts';

export interface RabbitPublisher extends EventPublisher {
  close(): Promise<void>;
}

export function taskQueueDeclaration(queue: string) {
  return { queue, durable: true, arguments: { 'x-queue-type': 'quorum' as const } };
}

export interface RabbitPublisherOptions {
  onError?: (error: unknown) => void;
  /**
   * How long a publish waits for a connection: while the broker is down a
   * batch fails after this long (its rows stay pending) instead of holding
   * its row locks until the broker returns.
   */
  connectTimeoutMs?: number;
}

export function createRabbitPublisher(
  url: string,
  queue: string,
  options: RabbitPublisherOptions = {},
): RabbitPublisher {
  const rabbit = new Connection({
    url,
    connectionName: 'tasks-outbox-relay',
    retryHigh: 5_000,
    acquireTimeout: options.connectTimeoutMs ?? 5_000,
  });
  const onError = options.onError ?? (() => {});
  rabbit.on('error', onError);
  const publisher = rabbit.createPublisher({
    confirm: true,
    maxAttempts: 2,
    queues: [taskQueueDeclaration(queue)],
  });
  return {
    async publish(events: OutboxEvent[]) {
      await Promise.all(
        events.map((event) =>
          publisher.send(
            {
              routingKey: queue,
              durable: true,
              messageId: event.eventId,
              type: event.type,
              contentType: 'application/json',
              headers: { 'x-request-id': String(event.payload.request_id ?? '') },
            },
            event.payload,
          ),
        ),
      );
    },
    async close() {
      await publisher.close();
      await rabbit.close();
    },
  };
}
