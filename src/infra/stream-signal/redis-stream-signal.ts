/**
 * Stream announcements over Redis pub/sub. The subscriber connection
 * reconnects by itself (ioredis) and re-subscribes; each `ready` after the
 * first tells the hub to catch up on what it missed meanwhile.
 */
import type { Redis } from 'ioredis';
import { createRedis } from '../redis/redis-client.ts';
import type { StreamSignal, StreamSignalListener } from './stream-signal.ts';

/** How long an announcement waits for a connection still being made before it fails (and is repeated). */
const READY_WAIT_MS = 1_000;

/** Resolves once `redis` is ready, or after READY_WAIT_MS (never rejects: a failure is the publish's to report). */
function readyOrLater(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, READY_WAIT_MS);
    redis.once('ready', done);
  });
}

export class RedisStreamSignal implements StreamSignal {
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async announce(position: number): Promise<void> {
    // Fails fast while Redis is down (the sequencer repeats it): no queue of stale announcements.
    this.publisher ??= this.connect({ enableOfflineQueue: false });
    const publisher = this.publisher;
    // Still connecting (the first announcement, a reconnection): a moment for it, so that a
    // start does not fail its first announcement and log it.
    if (['wait', 'connecting', 'connect'].includes(publisher.status)) await readyOrLater(publisher);
    await publisher.publish(this.channel, String(position));
  }

  async listen(listener: StreamSignalListener): Promise<void> {
    // Queues the SUBSCRIBE until connected; ioredis subscribes again after every reconnection.
    const subscriber = this.connect({ enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => listener.onPosition(Number(message)));
    subscriber.on('ready', () => listener.onConnected());
    await subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }

  private connect(options: { enableOfflineQueue: boolean }): Redis {
    // No command timeout: a SUBSCRIBE queued while Redis is away waits for it.
    const redis = createRedis(this.url, 'tasks-stream-signal', {
      maxRetriesPerRequest: 1,
      commandTimeout: undefined,
      ...options,
    });
    redis.on('error', this.onError);
    return redis;
  }
}
