import type { Redis } from 'ioredis';
import { type Lsn, lsnFromHex, lsnToHex } from '../db/lsn.ts';
import type { CacheStore, GenerationStore, WriteMark } from './cache-store.ts';

const GENERATION_KEY = 'tasks:generation';
const WRITE_LSN_KEY = 'tasks:write-lsn';

/**
 * Opens a generation and keeps the highest write position, atomically:
 * positions are fixed-width hex, so string order is numeric order.
 */
const ADVANCE_SCRIPT = `
local current = redis.call('GET', KEYS[2])
if (not current) or ARGV[1] > current then redis.call('SET', KEYS[2], ARGV[1]) end
return redis.call('INCR', KEYS[1])`;

/** Cache entries and generation shared by every API instance through Redis. */
export class RedisCacheStore implements CacheStore, GenerationStore {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis) {}

  async get(key: string) {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async current(): Promise<WriteMark> {
    const [generation, writeLsn] = await this.redis.mget(GENERATION_KEY, WRITE_LSN_KEY);
    // No position recorded (Redis restarted empty): a write may be missing from it, so ask the primary.
    return { generation: Number(generation ?? 0), writeLsn: writeLsn ? lsnFromHex(writeLsn) : undefined };
  }

  async advance(writeLsn: Lsn): Promise<void> {
    await this.redis.eval(ADVANCE_SCRIPT, 2, GENERATION_KEY, WRITE_LSN_KEY, lsnToHex(writeLsn));
  }
}
