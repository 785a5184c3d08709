/**
 * WEB_CONCURRENCY API processes (node:cluster): forked with what the primary
 * prepared, each on sockets of its own where it can (listen-on-port.ts), replaced
 * when one dies, stopped together, and the primary's teardown once the last has gone.
 */
import cluster from 'node:cluster';
import { devIssuerOf } from '../auth/dev-idp/dev-issuer.ts';
import type { Config } from '../config/config.ts';
import { coordinateCacheGenerations } from '../infra/cache/cluster-generation-store.ts';
import { listenForOutsideWrites } from '../infra/cache/outside-writes.ts';
import { print, startupBanner } from '../startup-banner.ts';
import { whenListening } from './listen-on-port.ts';

/** What the primary stops after the API: the in-process background work, then the embedded database. */
export type Teardown = () => Promise<void>;

export async function runWorkers(config: Config, teardown: Teardown, embedded: boolean): Promise<void> {
  // Where workers share node:cluster's socket (no reusePort, listen-on-port.ts), each accepts from
  // it itself. In node:cluster's default (round-robin) the primary accepts them all and hands each
  // to a worker, one at a time per worker, waiting for the worker to take it: with the workers
  // busy, a burst of new connections waited seconds for a first answer (bench c500: p99 2.3 s;
  // 76-138 ms without; see docs/performance.md). NODE_CLUSTER_SCHED_POLICY, when set, still chooses.
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  let listening = 0;
  /**
   * Workers alive, counted here: `cluster.workers` drops a worker only once it
   * has both exited and disconnected, in either order, so on its 'exit' it
   * may still be listed, and the primary would never see the last one go.
   */
  const alive = new Set<number>();
  let stopListening: () => Promise<void> = async () => {};
  if (!config.redisUrl && config.cacheGenerations === 'cluster') {
    const generations = coordinateCacheGenerations();
    // `npm run seed` and other outside writers announce their writes through the database.
    stopListening = await listenForOutsideWrites(
      config.database.url as string,
      generations.advance,
      (error) => print(`cache: listening for outside writes failed (${error.message}); reconnecting`),
    );
  }
  const onListening = () => {
    listening += 1;
    if (listening === config.webConcurrency) {
      print(startupBanner(config, config.oidc.issuer ?? devIssuerOf(config), embedded));
    }
  };
  const fork = () => {
    const worker = cluster.fork({
      DATABASE_URL: config.database.url,
      CACHE_GENERATIONS: config.cacheGenerations,
      DATABASE_PREPARED_STATEMENTS: String(config.database.preparedStatements),
    });
    whenListening(worker, onListening);
    alive.add(worker.id);
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    print('Stopping: workers finish their in-flight requests …');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker.id);
    // A clean exit means the worker was told to stop (a signal sent to every process, as
    // `kill` or a service manager may do): the whole server stops, it is not restarted.
    if (!stopping && code === 0) stop();
    if (stopping) {
      if (alive.size === 0)
        void stopListening()
          .then(teardown)
          .then(() => process.exit(0));
      return;
    }
    print(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < config.webConcurrency; i += 1) fork();
}
