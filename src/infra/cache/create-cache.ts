import cluster from 'node:cluster';
import type pg from 'pg';
import type { Config } from '../../config/config.ts';
import { createRedis } from '../redis/redis-client.ts';
import type { CacheStore, GenerationStore } from './cache-store.ts';
import { ClusterGenerationStore } from './cluster-generation-store.ts';
import { MemoryCacheStore, MemoryGenerationStore } from './memory-cache-store.ts';
import { listenForOutsideWrites } from './outside-writes.ts';
import { PostgresGenerationStore } from './postgres-generation-store.ts';
import { RedisCacheStore } from './redis-cache-store.ts';

export interface CacheStores {
  cache: CacheStore;
  generations: GenerationStore;
  close(): Promise<void>;
}

/**
 * Redis when REDIS_URL is set (shared by every instance); otherwise an LRU
 * in each process. Its generation must be shared by every process that
 * writes to the database: through PostgreSQL by default (any number of
 * instances), or, when this `npm start` is the database's only writer
 * (CACHE_GENERATIONS=cluster, set by the embedded start), through the cluster
 * primary, which costs reads nothing.
 */
export function createCacheStores(
  config: Config,
  primary: pg.Pool,
  onListenError: (error: Error) => void = () => {},
): CacheStores {
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl, 'tasks-cache', { keyPrefix: config.redisKeyPrefix });
    const store = new RedisCacheStore(redis);
    return { cache: store, generations: store, close: async () => void redis.disconnect() };
  }
  if (config.cacheGenerations === 'database') {
    return {
      cache: new MemoryCacheStore(),
      generations: new PostgresGenerationStore(primary),
      close: async () => {},
    };
  }
  if (cluster.isWorker) {
    return {
      cache: new MemoryCacheStore(),
      generations: new ClusterGenerationStore(),
      close: async () => {},
    };
  }
  // The one process of a start with WEB_CONCURRENCY=1 keeps the generation: it hears of outside writes itself.
  const generations = new MemoryGenerationStore();
  const listening = config.database.url
    ? listenForOutsideWrites(config.database.url, (lsn) => void generations.advance(lsn), onListenError)
    : undefined;
  listening?.catch(onListenError);
  return {
    cache: new MemoryCacheStore(),
    generations,
    close: async () => {
      const stop = await listening?.catch(() => undefined);
      await stop?.();
    },
  };
}
