/**
 * The RabbitMQ topology of the background wing, in one place: the durable
 * quorum queue `<queue>` (task_processing), one retry queue per delay
 * (`<queue>.retry.<delay>ms`, whose messages expire back to `<queue>`), and
 * the dead-letter queue `<queue>.dlq`. Declared whole, idempotently (same
 * arguments every time), by the worker and by the relay's publisher at start
 * and after every reconnect, so the dead-letter queue exists before the first
 * failure and alerts and reviews find it from the start.
 */
import type { Connection } from 'rabbitmq-client';
import { retryDelays } from '../retry-policy.ts';

const quorum = { 'x-queue-type': 'quorum' as const };

export const deadLetterQueueOf = (queue: string) => `${queue}.dlq`;
export const retryQueueOf = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;

export interface Topology {
  queue: string;
  deadLetterQueue: string;
  /** Retry queue of each attempt's delay, in attempt order. */
  retryQueues: { delayMs: number; name: string }[];
  main: QueueDeclaration;
  deadLetter: QueueDeclaration;
  /** Every declaration: the main queue, the dead-letter queue, the retry queues. */
  declarations: QueueDeclaration[];
}

export interface QueueDeclaration {
  queue: string;
  durable: true;
  arguments: Record<string, unknown>;
}

export function topologyOf(queue: string, retryBaseMs: number): Topology {
  const retryQueues = retryDelays(retryBaseMs).map((delayMs) => ({
    delayMs,
    name: retryQueueOf(queue, delayMs),
  }));
  const main: QueueDeclaration = { queue, durable: true, arguments: quorum };
  const deadLetter: QueueDeclaration = { queue: deadLetterQueueOf(queue), durable: true, arguments: quorum };
  return {
    queue,
    deadLetterQueue: deadLetter.queue,
    retryQueues,
    main,
    deadLetter,
    declarations: [
      main,
      deadLetter,
      ...retryQueues.map(({ delayMs, name }) => ({
        queue: name,
        durable: true as const,
        // Quorum, with at-least-once dead-lettering: a message moves back to the main queue
        // only once the main queue has it, even across a broker restart (a classic queue's
        // expiry is at-most-once). That strategy needs reject-publish overflow.
        arguments: {
          ...quorum,
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      })),
    ],
  };
}

/**
 * Declares the topology now and after every reconnect; resolves after the
 * first complete declaration. A failed one (broker down) is tried again
 * with the next connection.
 */
export function keepTopologyDeclared(
  rabbit: Connection,
  topology: Topology,
  onError: (error: unknown) => void,
): Promise<void> {
  let declared: () => void;
  const ready = new Promise<void>((resolve) => {
    declared = resolve;
  });
  const declare = async () => {
    try {
      for (const declaration of topology.declarations) await rabbit.queueDeclare(declaration);
      declared();
    } catch (error) {
      onError(error);
    }
  };
  rabbit.on('connection', () => void declare());
  return ready;
}
