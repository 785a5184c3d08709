/**
 * Revocations shared through Redis: a sorted set of the live entries (score:
 * expiry in ms) that any process can read whole, and a pub/sub channel that
 * announces each new entry to every process at once. The set is re-read
 * when the subscriber (re)connects and every few seconds, so a message lost
 * while a process was disconnected is made up for; entries past their expiry
 * are removed from the set on every write and re-read.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { createRedis } from '../../infra/redis/redis-client.ts';
import type { Principal } from '../principal.ts';
import { type Revocation, RevocationSet, revocationOf } from './revocation-set.ts';
import type { RevocationStore } from './revocation-store.ts';

const RELOAD_EVERY_MS = 5_000;
/** How long a start waits for Redis before serving (revocations then arrive with the connection). */
const START_WAIT_MS = 2_000;

function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export class RedisRevocationStore implements RevocationStore {
  private readonly live = new RevocationSet();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly key: string;
  private readonly channel: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    url: string,
    prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.key = `${prefix}session-revocations`;
    this.channel = `${prefix}session-revocations`;
    this.redis = createRedis(url, 'tasks-revocations');
    // The subscriber waits for Redis rather than failing fast: it only listens.
    this.subscriber = createRedis(url, 'tasks-revocations-subscriber', {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const revocation = revocationOf(JSON.parse(message));
        if (revocation) this.live.add(revocation);
      } catch {
        // Not ours: ignore.
      }
    });
    // After a reconnection of either connection (ioredis re-subscribes): read what was missed meanwhile.
    this.subscriber.on('ready', this.reloadIfReadable);
    this.redis.on('ready', () => void this.reload());
  }

  isRevoked(principal: Principal): boolean {
    return this.live.matches(principal);
  }

  async revoke(revocation: Revocation): Promise<void> {
    this.live.add(revocation);
    const member = JSON.stringify(revocation);
    const results = await this.redis
      .multi()
      .zadd(this.key, revocation.expiresAt, member)
      .zremrangebyscore(this.key, '-inf', Date.now())
      // The set lives as long as its longest-lived entry (GT: never shortened by a shorter one).
      .pexpireat(this.key, revocation.expiresAt, 'GT')
      .pexpireat(this.key, revocation.expiresAt, 'NX')
      .publish(this.channel, member)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('Redis did not run the revocation');
  }

  async start(): Promise<void> {
    // Never blocks the start on Redis: the subscription waits for it, and each 'ready' reloads.
    this.subscriber
      .subscribe(this.channel)
      .then(this.reloadIfReadable, (err: unknown) =>
        this.log.warn({ err }, 'session revocations: cannot subscribe to Redis'),
      );
    await whenReady(this.redis, START_WAIT_MS);
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_EVERY_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  /**
   * The subscriber can be up before the connection the set is read on, which fails fast
   * while connecting (no offline queue): that one's own 'ready' reads the set then.
   */
  private readonly reloadIfReadable = () => {
    if (this.redis.status === 'ready') void this.reload();
  };

  private async reload(): Promise<void> {
    try {
      const now = Date.now();
      const members = await this.redis.zrangebyscore(this.key, `(${now}`, '+inf');
      for (const member of members) {
        const revocation = revocationOf(JSON.parse(member));
        if (revocation) this.live.add(revocation);
      }
      this.live.prune(now);
    } catch (err) {
      // The entries already known stay in force; the next reload or message brings the rest.
      this.log.warn({ err }, 'session revocations: cannot read them from Redis');
    }
  }
}
