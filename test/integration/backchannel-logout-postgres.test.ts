/**
 * OIDC Back-Channel Logout carried between API instances that share only
 * PostgreSQL (no Redis), and learnt at start by an instance started after the
 * logout (from Redis or from PostgreSQL). backchannel-logout.test.ts checks
 * the logout tokens themselves and instances sharing Redis.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { postLogout, refusedAfter, statusOf } from '../support/logout-checks.ts';
import type { TestUser } from '../support/oidc-fixture.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-logout-${randomBytes(4).toString('hex')}:`;
const now = () => Math.floor(Date.now() / 1000);

let redisA: RunningApi;
let pgA: RunningApi;
let pgB: RunningApi;

beforeAll(async () => {
  redisA = await startApi({ REDIS_URL, REDIS_KEY_PREFIX: prefix });
  // No Redis: revocations go through the shared database.
  pgA = await startApi({}, { oidc: redisA.oidc });
  pgB = await startApi({}, { database: pgA.database, oidc: redisA.oidc });
});

afterAll(async () => {
  await pgB?.close();
  await pgA?.close();
  await redisA?.close();
});

const oidc = () => redisA.oidc;

const session = (user: TestUser, sid: string, claims: Record<string, unknown> = {}) =>
  oidc().token(user, { claims: { sid, ...claims } });

describe('an instance started after the logout', () => {
  it.each([
    ['Redis', () => redisA, { REDIS_URL, REDIS_KEY_PREFIX: prefix }],
    ['PostgreSQL', () => pgA, {}],
  ] as const)(
    'learns it from %s at start and refuses the session from its first request',
    async (_store, receiver, env) => {
      const sid = `sid-${randomBytes(6).toString('hex')}`;
      const token = await session('carol', sid);
      expect(
        (await postLogout(receiver(), await oidc().logoutToken('carol', { claims: { sid } }))).status,
      ).toBe(200);
      const late = await startApi({ ...env }, { database: receiver().database, oidc: redisA.oidc });
      try {
        expect(await statusOf(late, token)).toBe(401);
        expect(await statusOf(late, await session('carol', `${sid}-other`))).toBe(200);
      } finally {
        await late.close();
      }
    },
  );
});

describe('a session logged out through instances sharing only PostgreSQL', () => {
  it('the second instance refuses the session within a second; other sessions unaffected', async () => {
    const sid = `sid-${randomBytes(6).toString('hex')}`;
    const loggedOut = await session('bob', sid);
    const otherSession = await session('bob', `${sid}-other`);
    expect(await statusOf(pgB, loggedOut)).toBe(200);

    const started = Date.now();
    expect((await postLogout(pgA, await oidc().logoutToken('bob', { claims: { sid } }))).status).toBe(200);
    expect(await statusOf(pgA, loggedOut)).toBe(401);
    const delay = await refusedAfter(pgB, loggedOut, started);
    console.info(`back-channel logout through PostgreSQL: refused on the second instance after ${delay} ms`);
    expect(delay).toBeLessThan(1_000);
    expect(await statusOf(pgB, otherSession)).toBe(200);
    // The Redis pair shares nothing with this one: it was not told.
    expect(await statusOf(redisA, loggedOut)).toBe(200);
  });

  it('entries expire: stored until iat + lifetime + 5 s, and a session logged out that long ago is served again', async () => {
    // An instance whose provider issues 1-second access tokens remembers a logout for 1 + 5 s.
    const shortLived = await startApi(
      { OIDC_ACCESS_TOKEN_LIFETIME_SECONDS: '1' },
      { database: pgA.database, oidc: redisA.oidc },
    );
    try {
      const sid = `sid-${randomBytes(6).toString('hex')}`;
      const iat = now();
      const token = await session('bob', sid);
      const response = await postLogout(
        shortLived,
        await oidc().logoutToken('bob', { claims: { sid, iat } }),
      );
      expect(response.status).toBe(200);
      expect(await statusOf(shortLived, token)).toBe(401);

      const db = new pg.Client({ connectionString: pgA.database.url });
      await db.connect();
      try {
        const { rows } = await db.query<{ expires: number }>(
          'SELECT extract(epoch FROM expires_at)::float8 AS expires FROM session_revocations WHERE value = $1',
          [sid],
        );
        expect(rows.map((row) => row.expires)).toEqual([iat + 6]);
      } finally {
        await db.end();
      }
      // (The token itself outlives the entry only because the fixture minted it for 300 s.)
      await new Promise((resolve) => setTimeout(resolve, (iat + 6) * 1000 - Date.now() + 100));
      expect(await statusOf(shortLived, token)).toBe(200);
      expect(await statusOf(pgB, token)).toBe(200);
    } finally {
      await shortLived.close();
    }
  });
});
