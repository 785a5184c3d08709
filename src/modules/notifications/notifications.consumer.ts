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
import { createAjv } from '../../http/validator-compiler.ts';
import type { Database } from '../../infra/db/database.ts';
import type { Mailer } from '../../infra/mail/mailer.ts';
import { taskQueueDeclaration } from '../../infra/queue/rabbitmq-publisher.ts';
import type { MessageOutcome } from '../../observability/worker-metrics.ts';
import { type TaskCreatedEvent, TaskCreatedEventSchema } from '../tasks/tasks.events.ts';

export const MAX_ATTEMPTS = 3;

export interface NotificationConsumerOptions {
  rabbit: Connection;
  queue: string;
  db: Pick<Database, 'primary'>;
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
const retryDelayMs = (baseMs: number, attempt: number) => baseMs * 4 ** (attempt - 1);
const retryQueueOf = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;

const isTaskCreatedEvent = createAjv().compile<TaskCreatedEvent>(TaskCreatedEventSchema);

function notificationOf(event: TaskCreatedEvent, to: string) {
  return {
    messageId: `<${event.event_id}@tasks.events>`,
    to,
    subject: 'A new task is yours',
    text: `Task ${event.task_id} was created for you at ${event.occurred_at}.\n`,
  };
}

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
        arguments: {
          'x-message-ttl': delay,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
        },
      })),
    ],
  });

  const alreadyProcessed = async (eventId: string) =>
    ((await db.primary.query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId])).rowCount ??
      0) > 0;

  /** Republishes (confirmed) for a later attempt, or to the dead-letter queue after the last. */
  async function failed(
    event: object,
    eventId: string | undefined,
    attempt: number,
    reason: string,
    headers: object,
  ) {
    const last = attempt >= MAX_ATTEMPTS;
    const delay = delays[attempt - 1];
    await publisher.send(
      {
        durable: true,
        messageId: eventId,
        contentType: 'application/json',
        routingKey: last || delay === undefined ? deadLetterQueueOf(queue) : retryQueueOf(queue, delay),
        headers: last
          ? {
              ...headers,
              'x-attempts': attempt,
              'x-last-error': reason,
              'x-failed-at': new Date().toISOString(),
            }
          : { ...headers, 'x-attempt': attempt + 1, 'x-last-error': reason },
      },
      event,
    );
    return last ? 'dead_lettered' : 'retried';
  }

  async function handle(message: AsyncMessage): Promise<MessageOutcome> {
    const attempt = Number(message.headers?.['x-attempt'] ?? 1);
    const event = message.body as unknown;
    const requestId = message.headers?.['x-request-id'];
    const headers = { ...message.headers, 'x-request-id': requestId };
    if (!isTaskCreatedEvent(event)) {
      // A message that breaks the contract will never succeed: no retries.
      const reason = `not a task.created event: ${JSON.stringify(isTaskCreatedEvent.errors)}`;
      return failed(event as object, message.messageId, MAX_ATTEMPTS, reason, headers);
    }
    const eventLog = log.child({ eventId: event.event_id, reqId: requestId, attempt });
    if (await alreadyProcessed(event.event_id)) {
      eventLog.info('event already processed: nothing sent again');
      return 'duplicate';
    }
    try {
      if (event.owner_email) await mailer.send(notificationOf(event, event.owner_email));
      else eventLog.info('owner has no known address: no e-mail');
      await db.primary.query('INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        event.event_id,
      ]);
      eventLog.info('notification sent');
      return 'processed';
    } catch (error) {
      const outcome = await failed(
        event,
        event.event_id,
        attempt,
        (error as Error).message ?? String(error),
        headers,
      );
      if (outcome === 'retried') eventLog.warn({ err: error }, 'notification failed; will retry');
      else eventLog.error({ err: error }, 'notification failed 3 times: dead-lettered');
      return outcome;
    }
  }

  const consumer = rabbit.createConsumer(
    {
      queue,
      queueOptions: taskQueueDeclaration(queue),
      qos: { prefetchCount: options.prefetch ?? 10 },
      concurrency: options.prefetch ?? 10,
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
