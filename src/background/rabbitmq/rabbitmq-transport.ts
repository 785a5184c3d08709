/**
 * The transport on RabbitMQ (AMQP_URL): the relay publishes on its own
 * connection (with a short connect timeout, see rabbitmq-publisher.ts); the
 * consumer, its retries and the dead-letter review share the worker's. Both
 * connections declare the whole topology at start and after reconnects.
 */
import { Connection } from 'rabbitmq-client';
import type { EventTransport } from '../transport.ts';
import { startRabbitConsumer } from './rabbitmq-consumer.ts';
import { rabbitDeadLetters } from './rabbitmq-dead-letters.ts';
import { createRabbitPublisher } from './rabbitmq-publisher.ts';
import { keepTopologyDeclared, topologyOf } from './topology.ts';

export function rabbitTransport(options: {
  url: string;
  queue: string;
  retryBaseMs: number;
  onError: (error: unknown) => void;
  prefetch?: number;
  /** Of the relay's publish; see rabbitmq-publisher.ts. */
  connectTimeoutMs?: number;
}): EventTransport {
  const topology = topologyOf(options.queue, options.retryBaseMs);
  const publisher = createRabbitPublisher(options.url, topology, options);
  const rabbit = new Connection({ url: options.url, connectionName: 'tasks-worker' });
  rabbit.on('error', options.onError);
  const declared = keepTopologyDeclared(rabbit, topology, options.onError);
  let consumer: { close(): Promise<void> } | undefined;
  return {
    description: `RabbitMQ queue ${options.queue}`,
    publisher,
    ready: Promise.all([declared, publisher.ready]).then(() => {}),
    deadLetters: rabbitDeadLetters(rabbit, topology),
    consume(handle, hooks) {
      consumer ??= startRabbitConsumer({ rabbit, topology, handle, hooks, ...options });
    },
    async close() {
      await consumer?.close();
      await Promise.all([publisher.close(), rabbit.close()]);
    },
  };
}
