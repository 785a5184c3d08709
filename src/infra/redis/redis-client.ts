/**
 * Redis connections for shared state (listing cache, generations, session
 * revocations, rate limits). Tuned to fail fast: with Redis down a command
 * errors at once (no offline queue, a short timeout) so callers degrade to
 * the database instead of hanging; ioredis keeps reconnecting in the
 * background and the cache is used again when Redis returns.
 */
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * ioredis is loaded on the first connection, not with this module: every
 * process imports the Redis-backed stores, most (the embedded start's) never
 * connect, and the library costs about 20 MB of memory in each.
 */
const loadIoredis = () => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 500,
  connectTimeout: 2_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

export function createRedis(url: string, connectionName: string, overrides: RedisOptions = {}): Redis {
  const redis = new (loadIoredis().Redis)(url, {
    ...FAIL_FAST,
    connectionName,
    lazyConnect: false,
    ...overrides,
  });
  // Errors surface on the commands that fail; an unhandled 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}
