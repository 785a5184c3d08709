/**
 * Consumes `task_processing`: each `task.created` event sends its owner one
 * e-mail. Manual acknowledgement with a bounded prefetch; a message is
 * acknowledged only once its outcome is safe: the e-mail sent and the event
 * recorded as processed, or the message republished (with confirms) to a
 * retry queue or to the dead-letter queue. So nothing is lost, and an event
 * delivered twice finds itself in `processed_events` and sends nothing more.
 *
 * Failures: 3 attempts in all. Attempt n+1 waits in `<queue>.retry.<delay>`,
 * a queue whose messages expire back to `<queue>` (delay × 4 each time: a
 * growing delay, not an immediate requeue); after the 3rd failure the event
 * goes to `<queue>.dlq` with the last error, the attempt count and the time.
 */
import type { Logger } from 'pino';
import type { AsyncMessage, Connection } from 'rabbitmq-client';
import type { Database } from '../../infra/db/database.ts';
import type { Mailer } from '../../infra/mail/mailer.ts';
import { taskQueueDeclaration } from '../../infra/queue/rabbitmq-publisher.ts';
import type { MessageOutcome } from '../../observability/worker-metrics.ts';
import { createNotificationHandler, MAX_ATTEMPTS, retryDelayMs } from './notifications.handler.ts';

export interface NotificationConsumerOptions {
  rabbit: Connection;
  queue: string;
  db: Pick<Database, 'transaction'>;
  mailer: Mailer;
  log: Logger;
  retryBaseMs: number;
  prefetch?: number;
  /** Each handled event's outcome and duration (metrics). */
  onHandled?: (outcome: MessageOutcome, seconds: number) => void;
}

export const deadLetterQueueOf = (queue: string) => `${queue}.dlq`;
export const deadLetterQueueDeclaration = (queue: string) => ({
  queue: deadLetterQueueOf(queue),
  durable: true,
  arguments: { 'x-queue-type': 'quorum' as const },
});
/** Messages a consumer has in hand at once, unless told otherwise. */
export const DEFAULT_PREFETCH = 10;
const retryQueueOf = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;

export function startNotificationConsumer(options: NotificationConsumerOptions) {
  const { rabbit, queue, db, mailer, log } = options;
  const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(options.retryBaseMs, i + 1));
  const publisher = rabbit.createPublisher({
    confirm: true,
    maxAttempts: 2,
    queues: [
      deadLetterQueueDeclaration(queue),
      ...delays.map((delay) => ({
        queue: retryQueueOf(queue, delay),
        durable: true,
        // Quorum, with at-least-once dead-lettering: a message moves back to the main queue
        // only once the main queue has it, even across a broker restart (a classic queue's
        // expiry is at-most-once). That strategy needs reject-publish overflow.
        arguments: {
          'x-queue-type': 'quorum' as const,
          'x-message-ttl': delay,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      })),
    ],
  });

  const handleEvent = createNotificationHandler({ db, mailer, log });

  /** Acknowledged only after this: processed, or republished (confirmed) for a retry or as a dead letter. */
  async function handle(message: AsyncMessage): Promise<MessageOutcome> {
    const attempt = Number(message.headers?.['x-attempt'] ?? 1);
    const event = message.body as object;
    const headers = { ...message.headers, 'x-request-id': message.headers?.['x-request-id'] };
    const result = await handleEvent(event, attempt, headers['x-request-id']);
    if (result.outcome !== 'failed') return result.outcome;
    const delay = delays[attempt - 1];
    const deadLetter = result.final || delay === undefined;
    await publisher.send(
      {
        durable: true,
        messageId: message.messageId,
        contentType: 'application/json',
        routingKey: deadLetter ? deadLetterQueueOf(queue) : retryQueueOf(queue, delay),
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
      queue,
      queueOptions: taskQueueDeclaration(queue),
      qos: { prefetchCount: options.prefetch ?? DEFAULT_PREFETCH },
      concurrency: options.prefetch ?? DEFAULT_PREFETCH,
    },
    async (message) => {
      const started = performance.now();
      const outcome = await handle(message);
      options.onHandled?.(outcome, (performance.now() - started) / 1000);
    },
  );
  consumer.on('error', (error) => log.warn({ err: error }, 'consumer error; it recovers by itself'));

  return {
    /** Waits for the messages in hand to finish (they are acknowledged or left to redelivery), then closes. */
    async close() {
      await consumer.close();
      await publisher.close();
    },
  };
}
