import type { Redis } from 'ioredis';
import { type Lsn, lsnFromHex, lsnToHex } from '../db/lsn.ts';
import {
  type CacheStore,
  CLIENT_POSITION_TTL_SECONDS,
  type ClientMark,
  type GenerationStore,
} from './cache-store.ts';

const GENERATION_KEY = 'tasks:generation';
const WRITE_LSN_KEY = 'tasks:write-lsn';
const clientKey = (client: string) => `tasks:client-lsn:${client}`;

/**
 * Raises a position key to ARGV[1] if it is lower (positions are fixed-width
 * hex, so string order is numeric order); ARGV[2], when given, is its lifetime.
 */
const RAISE = `
local function raise(key, lsn, ttl)
  local current = redis.call('GET', key)
  if (not current) or lsn > current then
    if ttl then redis.call('SET', key, lsn, 'EX', ttl) else redis.call('SET', key, lsn) end
  elseif ttl then redis.call('EXPIRE', key, ttl) end
end`;

/** Opens a generation, keeping the highest write position and the writer's own, atomically. */
const ADVANCE_SCRIPT = `${RAISE}
raise(KEYS[2], ARGV[1], nil)
if KEYS[3] then raise(KEYS[3], ARGV[1], ARGV[2]) end
return redis.call('INCR', KEYS[1])`;

const SEEN_SCRIPT = `${RAISE}
raise(KEYS[1], ARGV[1], ARGV[2])
return 1`;

/** Cache entries, generation and client positions shared by every API instance through Redis. */
export class RedisCacheStore implements CacheStore, GenerationStore {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis) {}

  async get(key: string) {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async current(client: string): Promise<ClientMark> {
    const [generation, writeLsn, clientLsn] = await this.redis.mget(
      GENERATION_KEY,
      WRITE_LSN_KEY,
      clientKey(client),
    );
    return {
      generation: Number(generation ?? 0),
      // No position recorded (Redis restarted empty): a write may be missing from it, so ask the primary.
      writeLsn: writeLsn ? lsnFromHex(writeLsn) : undefined,
      clientLsn: clientLsn ? lsnFromHex(clientLsn) : undefined,
    };
  }

  async advance(writeLsn: Lsn, client?: string): Promise<void> {
    const keys =
      client === undefined
        ? [GENERATION_KEY, WRITE_LSN_KEY]
        : [GENERATION_KEY, WRITE_LSN_KEY, clientKey(client)];
    await this.redis.eval(
      ADVANCE_SCRIPT,
      keys.length,
      ...keys,
      lsnToHex(writeLsn),
      CLIENT_POSITION_TTL_SECONDS,
    );
  }

  async recordSeen(client: string, lsn: Lsn): Promise<void> {
    await this.redis.eval(SEEN_SCRIPT, 1, clientKey(client), lsnToHex(lsn), CLIENT_POSITION_TTL_SECONDS);
  }
}
