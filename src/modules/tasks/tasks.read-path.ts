/**
 * Where the API's task reads go: the read router (the primary, or a replica
 * that has what the client wrote or was shown), the cache in front of it, and
 * TaskReads over both. The caller closes the router and the cache stores.
 */
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Config } from '../../config/config.ts';
import { createCacheStores } from '../../infra/cache/create-cache.ts';
import { ReadRouter } from '../../infra/db/read-router.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { TaskReads } from './tasks.reads.ts';

export function createReadPath(config: Config, primary: pg.Pool, metrics: Metrics, log: FastifyBaseLogger) {
  const router = new ReadRouter(primary, {
    replicaUrls: config.database.replicaUrls,
    poolSize: config.database.poolSize,
    preparedStatements: config.database.preparedStatements,
    maxLagSeconds: config.database.replicaMaxLagSeconds,
    onReplicaState: (replica, state) => metrics.observeReplica(replica, state),
  });
  metrics.observePools(router.pools());
  const cacheStores = createCacheStores(config, primary, (err) =>
    log.warn({ err }, 'cache: listening for outside writes (npm run seed) failed; reconnecting'),
  );
  const reads = new TaskReads({
    ...cacheStores,
    router,
    ttlSeconds: config.cacheTtlSeconds,
    metrics,
    log: log,
  });
  return { router, cacheStores, reads };
}
