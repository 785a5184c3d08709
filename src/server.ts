/**
 * `npm start`: the API in WEB_CONCURRENCY worker processes (node:cluster).
 * The primary process prepares what workers share: the embedded PostgreSQL
 * when DATABASE_URL is unset, migrations, the development provider's keys.
 * On Kubernetes WEB_CONCURRENCY=1 runs one process per pod, no cluster.
 */
import cluster from 'node:cluster';
import { devIssuerOf } from './auth/dev-idp/dev-issuer.ts';
import { loadConfig } from './config/config.ts';
import { exitOnFatal } from './fatal.ts';
import { createLogger } from './observability/logger.ts';
import { serve } from './start/serve.ts';
import { print, startupBanner } from './startup-banner.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (cluster.isWorker) return serve(config);
  // The primary's own work is loaded here only: a worker would carry the background wing
  // (RabbitMQ, nodemailer), the migrations and the embedded database's code for nothing.
  const [{ startBackgroundWork }, { runWorkers }, { preparePrimary }, { checkPortFree }] = await Promise.all([
    import('./background/start.ts'),
    import('./start/cluster-workers.ts'),
    import('./start/prepare-primary.ts'),
    import('./start/listen-on-port.ts'),
  ]);
  // A port in use stops the start before any database is started for it.
  await checkPortFree(config.host, config.port);
  const { config: prepared, embedded } = await preparePrimary(config);
  // Without a broker there is no separate worker: this process does the background work.
  const background = prepared.amqp.url
    ? undefined
    : startBackgroundWork(prepared, createLogger(prepared, 'tasks-worker'));
  const teardown = async () => {
    await background?.stop();
    await embedded?.stop();
  };
  if (prepared.webConcurrency > 1) return runWorkers(prepared, teardown, embedded !== undefined);
  await serve(prepared, teardown);
  print(startupBanner(prepared, prepared.oidc.issuer ?? devIssuerOf(prepared), embedded !== undefined));
}

main().catch(exitOnFatal('npm start'));
