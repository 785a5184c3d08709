/**
 * `npm run worker`: the background process. It relays the outbox to RabbitMQ
 * (`AMQP_URL`) and consumes `task_processing` (e-mail notifications, with
 * retries and dead letters). On SIGTERM it stops taking messages, finishes
 * those in hand (unfinished ones are redelivered), and finishes or rolls
 * back the relay's batch.
 */

import { Connection } from 'rabbitmq-client';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { createDatabase } from './infra/db/database.ts';
import { createMailer } from './infra/mail/mailer.ts';
import { createRabbitPublisher } from './infra/queue/rabbitmq-publisher.ts';
import { OutboxRelay } from './modules/events/outbox-relay.ts';
import { startNotificationConsumer } from './modules/notifications/notifications.consumer.ts';
import { createLogger } from './observability/logger.ts';
import { createWorkerMetrics, serveWorkerMetrics } from './observability/worker-metrics.ts';

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError([`${name}: required by the worker`]);
  return value;
}

async function main(config: Config): Promise<void> {
  const amqpUrl = requireSetting(config.amqp.url, 'AMQP_URL');
  requireSetting(config.database.url, 'DATABASE_URL');
  const log = createLogger(config, 'tasks-worker');
  const db = createDatabase(config.database, 'tasks-worker');
  const publisher = createRabbitPublisher(amqpUrl, config.amqp.queue, {
    onError: (error) => log.warn({ err: error }, 'RabbitMQ connection error; reconnecting'),
  });
  const metrics = createWorkerMetrics(db);
  const metricsServer = await serveWorkerMetrics(metrics, config.workerMetricsPort, config.host);
  const relay = new OutboxRelay(db, publisher, {
    onError: (error) => log.warn({ err: error }, 'outbox relay: batch not published; retrying'),
    onPublished: (count) => metrics.outboxPublished.inc(count),
  });
  relay.start();
  const rabbit = new Connection({ url: amqpUrl, connectionName: 'tasks-worker' });
  rabbit.on('error', (error) => log.warn({ err: error }, 'RabbitMQ connection error; reconnecting'));
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    dataDir: config.dataDir,
  });
  const consumer = startNotificationConsumer({
    rabbit,
    queue: config.amqp.queue,
    db,
    mailer,
    log,
    retryBaseMs: config.retryBaseMs,
    onHandled: (outcome, seconds) => {
      metrics.messages.labels(outcome).inc();
      metrics.processingDuration.observe(seconds);
    },
  });
  log.info(
    { queue: config.amqp.queue, metrics: `http://${config.host}:${config.workerMetricsPort}/metrics` },
    'relaying the outbox and consuming task events',
  );

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping: finishing the messages and the batch in hand');
    await consumer.close();
    await relay.stop();
    await Promise.all([publisher.close(), rabbit.close()]);
    mailer.close();
    metricsServer.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main(loadConfig()).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
