/**
 * Consumes `<queue>` (task_processing) and hands each event to the
 * dispatcher. Manual acknowledgement with a bounded prefetch; a message is
 * acknowledged only once its outcome is safe: handled (or skipped: a type no
 * consumer takes), or republished with confirms to its retry queue or to the
 * dead-letter queue. So nothing is lost, and an event delivered twice finds
 * its claims in `processed_events` and does nothing more.
 *
 * Failures: MAX_ATTEMPTS in all. Attempt n+1 waits in the retry queue of
 * its delay, which expires it back to `<queue>` (a growing delay, not an
 * immediate requeue); after the last failure the event goes to `<queue>.dlq`
 * with the last error, the attempt count and the time.
 */
import type { AsyncMessage, Connection } from 'rabbitmq-client';
import type { HandleEvent } from '../dispatcher.ts';
import type { DeliveryHooks, MessageOutcome } from '../transport.ts';
import type { Topology } from './topology.ts';

/** Messages a consumer has in hand at once, unless told otherwise. */
export const DEFAULT_PREFETCH = 10;

export function startRabbitConsumer(options: {
  rabbit: Connection;
  topology: Topology;
  handle: HandleEvent;
  hooks?: DeliveryHooks;
  onError: (error: unknown) => void;
  prefetch?: number;
}) {
  const { rabbit, topology, handle } = options;
  const publisher = rabbit.createPublisher({ confirm: true, maxAttempts: 2, queues: topology.declarations });

  /** Acknowledged only after this: handled, or republished (confirmed) for a retry or as a dead letter. */
  async function settle(message: AsyncMessage): Promise<MessageOutcome> {
    const attempt = Number(message.headers?.['x-attempt'] ?? 1);
    const event = message.body as unknown;
    const headers = { ...message.headers, 'x-request-id': message.headers?.['x-request-id'] };
    const result = await handle(event, attempt, headers['x-request-id']);
    if (result.outcome !== 'failed') return result.outcome;
    const retry = topology.retryQueues[attempt - 1];
    const deadLetter = result.final || retry === undefined;
    await publisher.send(
      {
        durable: true,
        messageId: message.messageId,
        type: message.type,
        contentType: 'application/json',
        routingKey: deadLetter ? topology.deadLetterQueue : retry.name,
        headers: deadLetter
          ? {
              ...headers,
              'x-attempts': attempt,
              'x-last-error': result.reason,
              'x-failed-at': new Date().toISOString(),
            }
          : { ...headers, 'x-attempt': attempt + 1, 'x-last-error': result.reason },
      },
      event,
    );
    return deadLetter ? 'dead_lettered' : 'retried';
  }

  const consumer = rabbit.createConsumer(
    {
      queue: topology.queue,
      queueOptions: topology.main,
      qos: { prefetchCount: options.prefetch ?? DEFAULT_PREFETCH },
      concurrency: options.prefetch ?? DEFAULT_PREFETCH,
    },
    async (message) => {
      const started = performance.now();
      const outcome = await settle(message);
      options.hooks?.onHandled?.(outcome, (performance.now() - started) / 1000);
    },
  );
  consumer.on('error', options.onError);

  return {
    /** Waits for the messages in hand to finish (they are acknowledged or left to redelivery), then closes. */
    async close() {
      await consumer.close();
      await publisher.close();
    },
  };
}
