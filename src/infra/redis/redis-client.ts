/**
 * Redis connections for shared state (listing cache, generations, session
 * revocations, rate limits). Tuned to fail fast: with Redis down a command
 * errors at once (no offline queue, a short timeout) so callers degrade to
 * the database instead of hanging; ioredis keeps reconnecting in the
 * background and the cache is used again when Redis returns.
 */
import { Redis, type RedisOptions } from 'ioredis';

const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 500,
  connectTimeout: 2_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

export function createRedis(url: string, connectionName: string, overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url, { ...FAIL_FAST, connectionName, lazyConnect: false, ...overrides });
  // Errors surface on the commands that fail; an unhandled 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}
