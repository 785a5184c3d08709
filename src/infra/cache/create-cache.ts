import type pg from 'pg';
import type { Config } from '../../config/config.ts';
import { createRedis } from '../redis/redis-client.ts';
import type { CacheStore, GenerationStore } from './cache-store.ts';
import { MemoryCacheStore } from './memory-cache-store.ts';
import { PostgresGenerationStore } from './postgres-generation-store.ts';
import { RedisCacheStore } from './redis-cache-store.ts';

export interface CacheStores {
  cache: CacheStore;
  generations: GenerationStore;
  close(): Promise<void>;
}

/**
 * Redis when REDIS_URL is set (shared by every instance); otherwise an LRU
 * in each process, whose generation lives in PostgreSQL so that a write in
 * one worker process makes every worker's entries stale.
 */
export function createCacheStores(config: Config, primary: pg.Pool): CacheStores {
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl, 'tasks-cache', { keyPrefix: config.redisKeyPrefix });
    const store = new RedisCacheStore(redis);
    return { cache: store, generations: store, close: async () => void redis.disconnect() };
  }
  return {
    cache: new MemoryCacheStore(),
    generations: new PostgresGenerationStore(primary),
    close: async () => {},
  };
}
