/**
 * Stream announcements over a real Redis that stops and comes back: an
 * announcement while it is down fails at once (the sequencer repeats it; no
 * queue of stale ones), and once it is back the listener is told it
 * reconnected (to catch up) and hears the next announcements.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStreamSignal } from '../../src/infra/stream-signal/redis-stream-signal.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';

let redis: PrivateRedis | undefined;
let signal: RedisStreamSignal | undefined;
afterAll(async () => {
  await signal?.close();
  await redis?.stop();
});

const until = async (condition: () => boolean, ms = 10_000) => {
  for (let waited = 0; waited < ms && !condition(); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(condition()).toBe(true);
};

describe('stream announcements over Redis', () => {
  it('fail fast while Redis is down, and reach the listener again once it is back', async () => {
    redis = await startPrivateRedis();
    signal = new RedisStreamSignal(redis.url, 'test-stream', () => {});
    const heard: number[] = [];
    let connected = 0;
    await signal.listen({
      onPosition: (position) => heard.push(position),
      onConnected: () => (connected += 1),
    });
    await until(() => connected === 1);
    await signal.announce(1);
    await until(() => heard.includes(1));

    await redis.stop();
    const started = Date.now();
    await expect(signal.announce(2)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);

    await redis.start();
    await until(() => connected === 2);
    // The publisher reconnects on its own schedule: announce until one arrives, as the sequencer does.
    for (let attempt = 0; attempt < 50 && !heard.includes(3); attempt += 1) {
      await signal.announce(3).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(heard).toContain(3);
    expect(heard).not.toContain(2);
  }, 30_000);
});
