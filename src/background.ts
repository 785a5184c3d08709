/**
 * The background work, wired once for both ways to run it: relay the outbox
 * and consume task events, through RabbitMQ when AMQP_URL is set, otherwise
 * through the in-process queue in PostgreSQL (same handler, same retry and
 * dead-letter rules). `npm run worker` runs it on its own; the embedded
 * `npm start` runs it in its primary process.
 */
import type { Logger } from 'pino';
import { Connection } from 'rabbitmq-client';
import type { Config } from './config/config.ts';
import { createDatabase } from './infra/db/database.ts';
import { createMailer } from './infra/mail/mailer.ts';
import { createRabbitPublisher } from './infra/queue/rabbitmq-publisher.ts';
import { OutboxRelay } from './modules/events/outbox-relay.ts';
import { LocalQueueConsumer, localQueuePublisher } from './modules/notifications/local-queue.ts';
import { startNotificationConsumer } from './modules/notifications/notifications.consumer.ts';
import { createNotificationHandler } from './modules/notifications/notifications.handler.ts';
import type { MessageOutcome, WorkerMetrics } from './observability/worker-metrics.ts';
import { createWorkerMetrics } from './observability/worker-metrics.ts';

export interface BackgroundWork {
  metrics: WorkerMetrics;
  /** Stops taking work, finishes what is in hand, closes every connection. */
  stop(): Promise<void>;
}

export function startBackgroundWork(config: Config, log: Logger): BackgroundWork {
  const db = createDatabase(config.database, 'tasks-worker');
  const metrics = createWorkerMetrics(db);
  const onHandled = (outcome: MessageOutcome, seconds: number) => {
    metrics.messages.labels(outcome).inc();
    metrics.processingDuration.observe(seconds);
  };
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    dataDir: config.dataDir,
  });
  const relayOptions = {
    onError: (error: unknown) => log.warn({ err: error }, 'outbox relay: batch not published; retrying'),
    onPublished: (count: number) => metrics.outboxPublished.inc(count),
  };
  const closeShared = async () => {
    mailer.close();
    await db.close();
  };

  if (!config.amqp.url) {
    const relay = new OutboxRelay(db, localQueuePublisher(db), relayOptions);
    const consumer = new LocalQueueConsumer(db, createNotificationHandler({ db, mailer, log }), {
      retryBaseMs: config.retryBaseMs,
      onHandled,
      onError: (error) => log.warn({ err: error }, 'in-process queue: batch failed; retrying'),
    });
    relay.start();
    consumer.start();
    log.info('background work in-process (no AMQP_URL): outbox → local queue → notifications');
    return {
      metrics,
      async stop() {
        await consumer.stop();
        await relay.stop();
        await closeShared();
      },
    };
  }

  const onBrokerError = (error: unknown) =>
    log.warn({ err: error }, 'RabbitMQ connection error; reconnecting');
  const publisher = createRabbitPublisher(config.amqp.url, config.amqp.queue, { onError: onBrokerError });
  const relay = new OutboxRelay(db, publisher, relayOptions);
  const rabbit = new Connection({ url: config.amqp.url, connectionName: 'tasks-worker' });
  rabbit.on('error', onBrokerError);
  const consumer = startNotificationConsumer({
    rabbit,
    queue: config.amqp.queue,
    db,
    mailer,
    log,
    retryBaseMs: config.retryBaseMs,
    onHandled,
  });
  relay.start();
  log.info({ queue: config.amqp.queue }, 'background work on RabbitMQ: outbox → queue → notifications');
  return {
    metrics,
    async stop() {
      await consumer.close();
      await relay.stop();
      await Promise.all([publisher.close(), rabbit.close()]);
      await closeShared();
    },
  };
}
