/**
 * Writes made outside the API's processes (`npm run seed`, an import tool):
 * the API must stop serving listings cached before them, as it does after
 * its own writes. `announceOutsideWrite` opens a new generation wherever
 * one is kept: in Redis (REDIS_URL), in the cache_generation table
 * (instances without Redis), and, through PostgreSQL's NOTIFY, in the
 * memory of an embedded start (CACHE_GENERATIONS=cluster), whose process
 * keeping the generation listens with `listenForOutsideWrites`.
 */
import pg from 'pg';
import type { Config } from '../../config/config.ts';
import { type Lsn, lsnFromHex, lsnToHex, parseLsn } from '../db/lsn.ts';
import { createRedis } from '../redis/redis-client.ts';
import { PostgresGenerationStore } from './postgres-generation-store.ts';
import { RedisCacheStore } from './redis-cache-store.ts';

export const OUTSIDE_WRITES_CHANNEL = 'tasks_cache_generation';
const RECONNECT_MS = 1_000;

/** After an outside write has committed on `pool`'s database: every cached listing is stale from now on. */
export async function announceOutsideWrite(
  config: Pick<Config, 'redisUrl' | 'redisKeyPrefix'>,
  pool: pg.Pool,
): Promise<void> {
  const { rows } = await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const lsn = parseLsn(rows[0]?.lsn ?? '0/0');
  if (config.redisUrl) {
    // Queued until connected: this short-lived connection has one command to send.
    const redis = createRedis(config.redisUrl, 'tasks-outside-write', {
      keyPrefix: config.redisKeyPrefix,
      enableOfflineQueue: true,
    });
    try {
      await new RedisCacheStore(redis).advance(lsn);
    } finally {
      redis.disconnect();
    }
  }
  await new PostgresGenerationStore(pool).advance(lsn);
  await pool.query('SELECT pg_notify($1, $2)', [OUTSIDE_WRITES_CHANNEL, lsnToHex(lsn)]);
}

/**
 * Calls `onWrite` for each outside write announced on the database at `url`,
 * reconnecting while the database is away; resolves to a function that stops.
 */
export async function listenForOutsideWrites(
  url: string,
  onWrite: (writeLsn: Lsn) => void,
  onError: (error: Error) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'tasks-outside-writes' });
    next.on('notification', (message) => {
      if (message.channel === OUTSIDE_WRITES_CHANNEL && message.payload) onWrite(lsnFromHex(message.payload));
    });
    next.on('error', (error) => {
      onError(error);
      void next.end().catch(() => {});
      if (!stopped) setTimeout(() => void connect().catch(onError), RECONNECT_MS).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${OUTSIDE_WRITES_CHANNEL}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
