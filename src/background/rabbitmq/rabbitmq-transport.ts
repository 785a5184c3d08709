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
  const ready = Promise.all([declared, publisher.ready]).then(() => {});
  let consuming = false;
  let closing = false;
  let consumer: { close(): Promise<void> } | undefined;
  return {
    description: `RabbitMQ queue ${options.queue}`,
    publisher,
    ready,
    deadLetters: rabbitDeadLetters(rabbit, topology),
    consume(handle, hooks) {
      if (consuming) return;
      consuming = true;
      // Only once both connections have declared the topology: on a broker that has never seen
      // the queues, both create them at once, and a consume sent while a quorum queue is still
      // starting is refused (RabbitMQ 3.10: INTERNAL_ERROR); the client recovers, logging an error.
      void ready.then(() => {
        if (!closing) consumer = startRabbitConsumer({ rabbit, topology, handle, hooks, ...options });
      });
    },
    async close() {
      closing = true;
      await consumer?.close();
      await Promise.all([publisher.close(), rabbit.close()]);
    },
  };
}
