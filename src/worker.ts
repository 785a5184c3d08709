/**
 * `npm run worker`: the background process. It relays the outbox to RabbitMQ
 * (`AMQP_URL`), and stops cleanly on SIGTERM (the batch in progress is
 * finished or rolled back, never half-marked). Consuming `task_processing`
 * (notifications, retries, dead letters) is not built yet.
 */
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { createDatabase } from './infra/db/database.ts';
import { createRabbitPublisher } from './infra/queue/rabbitmq-publisher.ts';
import { OutboxRelay } from './modules/events/outbox-relay.ts';
import { createLogger } from './observability/logger.ts';

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
  const relay = new OutboxRelay(db, publisher, {
    onError: (error) => log.warn({ err: error }, 'outbox relay: batch not published; retrying'),
  });
  relay.start();
  log.info({ queue: config.amqp.queue }, 'relaying the outbox to RabbitMQ');

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping: finishing the batch in progress');
    await relay.stop();
    await publisher.close();
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
