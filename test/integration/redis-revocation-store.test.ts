/**
 * The session revocations kept in Redis, as each API process starts them:
 * with Redis up, a start reads the set without a warning (its subscriber can
 * be connected before the connection the set is read on; reading on that one
 * too early failed and logged a warning, seen in `npm run bench:stream`), and
 * a revocation made by one process is in force in another.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRevocationStore } from '../../src/auth/revocations/redis-revocation-store.ts';
import { caller } from '../support/principals.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const lines: { level: number; msg: string }[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);
const stores: RedisRevocationStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
});

describe('session revocations in Redis', () => {
  it('start in many processes at once without a warning, and a logout in one is in force in the others', async () => {
    const prefix = `test-revocations-${randomUUID()}:`;
    // Thirty at once: before the fix, about a third of the starts logged the warning.
    for (let i = 0; i < 30; i += 1) stores.push(new RedisRevocationStore(REDIS_URL, prefix, log));
    await Promise.all(stores.map((store) => store.start()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.filter((line) => line.level >= 40).map((line) => line.msg)).toEqual([]);

    const bob = { ...caller('bob', 'user'), sessionId: `session-${randomUUID()}` };
    const [first, ...others] = stores as [RedisRevocationStore, ...RedisRevocationStore[]];
    expect(others.some((store) => store.isRevoked(bob))).toBe(false);
    await first.revoke({ kind: 'sid', value: bob.sessionId, expiresAt: Date.now() + 60_000 });
    for (let waited = 0; waited < 2_000 && !others.every((store) => store.isRevoked(bob)); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(others.every((store) => store.isRevoked(bob))).toBe(true);
  });
});
