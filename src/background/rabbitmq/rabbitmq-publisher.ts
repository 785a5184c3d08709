/**
 * The outbox relay's publisher to RabbitMQ, with publisher confirms, through
 * `rabbitmq-client` (which reconnects by itself after a broker restart). It
 * declares the whole topology (topology.ts) at start and after each
 * reconnect. Messages are persistent, carry the event id as `messageId`
 * (consumers deduplicate by it), the event type as `type`, and the causing
 * request's id as `x-request-id`.
 */
import { Connection } from 'rabbitmq-client';
import type { EventPublisher, OutboxEvent } from '../outbox-relay.ts';
import { keepTopologyDeclared, type Topology } from './topology.ts';

export interface RabbitPublisher extends EventPublisher {
  /** The topology is declared. */
  ready: Promise<void>;
  close(): Promise<void>;
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
  topology: Topology,
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
  const ready = keepTopologyDeclared(rabbit, topology, onError);
  // Also declared by the publisher's own channel before its first send after a (re)connect:
  // a message is never sent to a queue the broker has lost (the default exchange would drop it).
  const publisher = rabbit.createPublisher({ confirm: true, maxAttempts: 2, queues: topology.declarations });
  return {
    ready,
    async publish(events: OutboxEvent[]) {
      await Promise.all(
        events.map((event) =>
          publisher.send(
            {
              routingKey: topology.queue,
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
