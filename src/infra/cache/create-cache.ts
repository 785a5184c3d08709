import cluster from 'node:cluster';
import type pg from 'pg';
import type { Config } from '../../config/config.ts';
import { createRedis } from '../redis/redis-client.ts';
import type { CacheStore, GenerationStore } from './cache-store.ts';
import { ClusterGenerationStore } from './cluster-generation-store.ts';
import { MemoryCacheStore, MemoryGenerationStore } from './memory-cache-store.ts';
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
export function createCacheStores(config: Config, primary: pg.Pool): CacheStores {
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl, 'tasks-cache', { keyPrefix: config.redisKeyPrefix });
    const store = new RedisCacheStore(redis);
    return { cache: store, generations: store, close: async () => void redis.disconnect() };
  }
  return {
    cache: new MemoryCacheStore(),
    generations: localGenerations(config, primary),
    close: async () => {},
  };
}

function localGenerations(config: Config, primary: pg.Pool): GenerationStore {
  if (config.cacheGenerations === 'database') return new PostgresGenerationStore(primary);
  return cluster.isWorker ? new ClusterGenerationStore() : new MemoryGenerationStore();
}
