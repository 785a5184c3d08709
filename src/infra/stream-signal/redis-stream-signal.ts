/**
 * Stream announcements over Redis pub/sub. The subscriber connection
 * reconnects by itself (ioredis) and re-subscribes; each `ready` after the
 * first tells the hub to catch up on what it missed meanwhile.
 */
import { Redis } from 'ioredis';
import type { StreamSignal, StreamSignalListener } from './stream-signal.ts';

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
    await this.publisher.publish(this.channel, String(position));
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
    const redis = new Redis(this.url, { maxRetriesPerRequest: 1, ...options });
    redis.on('error', this.onError);
    return redis;
  }
}
