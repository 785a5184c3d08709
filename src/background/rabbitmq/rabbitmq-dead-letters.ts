/**
 * Manual review of RabbitMQ's `task_processing.dlq`: list, show, replay (one or all)
 * back to `task_processing`, purge. Reading takes every message off the
 * queue unacknowledged and gives back the ones not replayed (`nack` with
 * requeue) only at the end, so each is seen once. A replay publishes with
 * confirms before it acknowledges the dead letter: nothing is lost, at
 * worst replayed twice (the consumer recognises the event id).
 */
import type { Channel, Connection, SyncMessage } from 'rabbitmq-client';
import type { DeadLetter, DeadLetterReview } from '../transport.ts';
import type { Topology } from './topology.ts';

const describe = (message: SyncMessage): DeadLetter => {
  const body = message.body as { event_id?: string; task_id?: string } | undefined;
  return {
    eventId: body?.event_id ?? message.messageId,
    taskId: body?.task_id,
    attempts: message.headers?.['x-attempts'],
    lastError: message.headers?.['x-last-error'],
    failedAt: message.headers?.['x-failed-at'],
    requestId: message.headers?.['x-request-id'],
    body: message.body,
  };
};

export function rabbitDeadLetters(rabbit: Connection, topology: Topology): DeadLetterReview {
  const { queue, deadLetterQueue: dlq } = topology;

  /** Runs `decide` on every dead letter; those it does not take (returns false) go back to the queue. */
  async function visit(decide: (message: SyncMessage, channel: Channel) => Promise<boolean>) {
    // Declared as the worker declares it: reviewing before any worker ran finds an empty queue.
    await rabbit.queueDeclare(topology.deadLetter);
    const channel = await rabbit.acquire();
    const kept: number[] = [];
    try {
      for (;;) {
        const message = await channel.basicGet({ queue: dlq });
        if (!message) break;
        if (await decide(message, channel)) channel.basicAck({ deliveryTag: message.deliveryTag });
        else kept.push(message.deliveryTag);
      }
    } finally {
      for (const deliveryTag of kept) channel.basicNack({ deliveryTag, requeue: true });
      await channel.close();
    }
  }

  return {
    async list(): Promise<DeadLetter[]> {
      const found: DeadLetter[] = [];
      await visit(async (message) => {
        found.push(describe(message));
        return false;
      });
      return found;
    },

    /** Replays the dead letters of one event (or all when `eventId` is undefined); returns how many. */
    async replay(eventId?: string): Promise<number> {
      const publisher = rabbit.createPublisher({ confirm: true });
      let replayed = 0;
      try {
        await visit(async (message) => {
          const letter = describe(message);
          if (eventId !== undefined && letter.eventId !== eventId) return false;
          // A fresh start: attempts count again from 1.
          await publisher.send(
            {
              routingKey: queue,
              durable: true,
              messageId: letter.eventId,
              contentType: 'application/json',
              headers: { 'x-request-id': letter.requestId, 'x-replayed-at': new Date().toISOString() },
            },
            message.body,
          );
          replayed += 1;
          return true;
        });
      } finally {
        await publisher.close();
      }
      return replayed;
    },

    async purge(): Promise<number> {
      await rabbit.queueDeclare(topology.deadLetter);
      const { messageCount } = await rabbit.queuePurge({ queue: dlq });
      return messageCount;
    },
  };
}
