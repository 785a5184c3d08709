/**
 * `npm start`: the API in WEB_CONCURRENCY worker processes (node:cluster).
 * The primary process prepares what workers share: the embedded PostgreSQL
 * when DATABASE_URL is unset, migrations, the development provider's keys.
 * On Kubernetes WEB_CONCURRENCY=1 runs one process per pod, no cluster.
 */
import cluster from 'node:cluster';
import { buildApp, devIssuerOf } from './app.ts';
import { startBackgroundWork } from './background.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { coordinateCacheGenerations } from './infra/cache/cluster-generation-store.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './infra/db/embedded-postgres.ts';
import { migrate } from './infra/db/migrator.ts';
import { createLogger } from './observability/logger.ts';
import { startupBanner } from './startup-banner.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Serves until SIGTERM/SIGINT, then finishes in-flight requests and runs `afterClose`. */
async function serve(config: Config, afterClose: () => Promise<void> = async () => {}): Promise<void> {
  const app = await buildApp(config);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await afterClose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (cluster.isWorker) {
    // Ctrl-C reaches the whole process group: the primary decides, and sends SIGTERM.
    process.on('SIGINT', () => {});
    // A worker never outlives its primary.
    process.on('disconnect', () => void shutdown('primary gone'));
  } else {
    process.on('SIGINT', () => void shutdown('SIGINT'));
  }
  await app.listen({ port: config.port, host: config.host });
}

/** Prepares shared state once, then serves in-process or in workers; returns the embedded database, if any. */
async function preparePrimary(config: Config): Promise<{ config: Config; embedded?: EmbeddedDatabase }> {
  let embedded: EmbeddedDatabase | undefined;
  let prepared = config;
  if (!config.database.url) {
    log(`Starting embedded PostgreSQL (data in ${config.dataDir}) …`);
    embedded = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, () => {});
    // This process tree is the embedded database's only writer: cache generations go through the primary.
    prepared = {
      ...config,
      cacheGenerations: 'cluster',
      // Direct connections, no pooler in between: statements can be prepared.
      database: {
        ...config.database,
        url: embedded.url,
        migrationUrl: embedded.url,
        preparedStatements: true,
      },
    };
  }
  if (prepared.database.migrateOnStart) {
    const applied = await migrate(prepared.database.migrationUrl as string);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
  }
  // Created before any worker starts, so workers never race to create different keys.
  if (!config.oidc.issuer) {
    const { loadOrCreateSigningKeys } = await import('./auth/dev-idp/signing-keys.ts');
    await loadOrCreateSigningKeys(config.dataDir);
  }
  return { config: prepared, ...(embedded ? { embedded } : {}) };
}

/** What the primary stops after the API: the in-process background work, then the embedded database. */
type Teardown = () => Promise<void>;

function runWorkers(config: Config, teardown: Teardown, embedded: boolean): void {
  let stopping = false;
  let listening = 0;
  /**
   * Workers alive, counted here: `cluster.workers` drops a worker only once it
   * has both exited and disconnected, in either order, so on its 'exit' it
   * may still be listed, and the primary would never see the last one go.
   */
  const alive = new Set<number>();
  if (!config.redisUrl && config.cacheGenerations === 'cluster') coordinateCacheGenerations();
  const fork = () =>
    alive.add(
      cluster.fork({
        DATABASE_URL: config.database.url,
        CACHE_GENERATIONS: config.cacheGenerations,
        DATABASE_PREPARED_STATEMENTS: String(config.database.preparedStatements),
      }).id,
    );
  cluster.on('listening', () => {
    listening += 1;
    if (listening === config.webConcurrency) {
      log(startupBanner(config, config.oidc.issuer ?? devIssuerOf(config), embedded));
    }
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log('Stopping: workers finish their in-flight requests …');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker.id);
    // A clean exit means the worker was told to stop (a signal sent to every process, as
    // `kill` or a service manager may do): the whole server stops, it is not restarted.
    if (!stopping && code === 0) stop();
    if (stopping) {
      if (alive.size === 0) void teardown().then(() => process.exit(0));
      return;
    }
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < config.webConcurrency; i += 1) fork();
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (cluster.isWorker) return serve(config);
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
  log(startupBanner(prepared, prepared.oidc.issuer ?? devIssuerOf(prepared), embedded !== undefined));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
