/**
 * `npm run worker`: the background process. It relays the outbox and
 * consumes task events (e-mail notifications, with retries and dead
 * letters): through RabbitMQ with AMQP_URL, otherwise through the in-process
 * queue in PostgreSQL. Its metrics are on WORKER_METRICS_PORT. On SIGTERM it
 * stops taking work, finishes what is in hand (unfinished messages are
 * redelivered) and finishes or rolls back the relay's batch.
 */
import { startBackgroundWork } from './background/start.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { exitOnFatal } from './fatal.ts';
import { createLogger } from './observability/logger.ts';
import { serveWorkerMetrics } from './observability/worker-metrics.ts';

async function main(config: Config): Promise<void> {
  if (!config.database.url) throw new ConfigError(['DATABASE_URL: required by the worker']);
  const log = createLogger(config, 'tasks-worker');
  const background = startBackgroundWork(config, log);
  const metricsServer = await serveWorkerMetrics(background.metrics, config.workerMetricsPort, config.host);
  log.info({ metrics: `http://${config.host}:${config.workerMetricsPort}/metrics` }, 'worker started');

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping: finishing the work in hand');
    await background.stop();
    metricsServer.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

Promise.resolve()
  .then(() => main(loadConfig()))
  .catch(exitOnFatal('npm run worker'));
