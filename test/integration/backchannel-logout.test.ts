/**
 * OIDC Back-Channel Logout against running API instances: logout tokens are
 * signed with the identity provider's real RS256 key (the fixture's), posted
 * as the provider posts them; the revocation is checked on a second instance
 * sharing Redis (backchannel-logout-postgres.test.ts: sharing only PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type ProblemJson, type RunningApi, startApi } from '../support/api-harness.ts';
import { postLogout, refusedAfter, statusOf } from '../support/logout-checks.ts';
import type { TestUser } from '../support/oidc-fixture.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-logout-${randomBytes(4).toString('hex')}:`;
const now = () => Math.floor(Date.now() / 1000);

let redisA: RunningApi;
let redisB: RunningApi;
let redis: Redis;

beforeAll(async () => {
  const withRedis = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
  redisA = await startApi(withRedis);
  redisB = await startApi(withRedis, { database: redisA.database, oidc: redisA.oidc });
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await redisB?.close();
  await redisA?.close();
  redis?.disconnect();
});

const oidc = () => redisA.oidc;

const session = (user: TestUser, sid: string, claims: Record<string, unknown> = {}) =>
  oidc().token(user, { claims: { sid, ...claims } });

describe('POST /auth/backchannel-logout: token verification', () => {
  const invalid: [string, () => Promise<string>][] = [
    [
      'a bad signature (another key under the published kid)',
      () => oidc().logoutToken('bob', { unpublishedKey: true, kid: 'fixture-key-1' }),
    ],
    ['a key that is not published', () => oidc().logoutToken('bob', { unpublishedKey: true })],
    [
      'a wrong issuer',
      () => oidc().logoutToken('bob', { claims: { iss: 'http://127.0.0.1:9/realms/evil' } }),
    ],
    ['a wrong audience', () => oidc().logoutToken('bob', { claims: { aud: 'another-client' } })],
    ['no aud', () => oidc().logoutToken('bob', { claims: { aud: undefined } })],
    ['no events claim', () => oidc().logoutToken('bob', { claims: { events: undefined } })],
    [
      'events without the back-channel logout member',
      () =>
        oidc().logoutToken('bob', { claims: { events: { 'http://schemas.openid.net/event/other': {} } } }),
    ],
    [
      'the logout event not an object',
      () =>
        oidc().logoutToken('bob', {
          claims: { events: { 'http://schemas.openid.net/event/backchannel-logout': 'yes' } },
        }),
    ],
    [
      'a nonce (an ID token, not a logout token)',
      () => oidc().logoutToken('bob', { claims: { nonce: 'n-1' } }),
    ],
    ['neither sid nor sub', () => oidc().logoutToken('bob', { claims: { sid: undefined, sub: undefined } })],
    [
      'iat in the future',
      () => oidc().logoutToken('bob', { claims: { iat: now() + 600, exp: now() + 720 } }),
    ],
    [
      'iat too old (over 120 s)',
      () => oidc().logoutToken('bob', { claims: { iat: now() - 600, exp: undefined } }),
    ],
    ['no iat', () => oidc().logoutToken('bob', { claims: { iat: undefined } })],
    ['an expired token', () => oidc().logoutToken('bob', { claims: { iat: now() - 100, exp: now() - 30 } })],
    ['a header typ other than logout+jwt or JWT', () => oidc().logoutToken('bob', { typ: 'at+jwt' })],
    ['an access token instead of a logout token', () => oidc().token('bob')],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
  ];

  it.each(invalid)('%s: 400 INVALID_LOGOUT_TOKEN, and the session keeps working', async (_name, mint) => {
    const accessToken = await oidc().token('bob');
    const response = await postLogout(redisA, await mint());
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await bodyOf<ProblemJson>(response)).toMatchObject({ status: 400, code: 'INVALID_LOGOUT_TOKEN' });
    expect(await statusOf(redisA, accessToken)).toBe(200);
    expect(await statusOf(redisB, accessToken)).toBe(200);
  });

  it('no logout_token in the form: 400 INVALID_LOGOUT_TOKEN', async () => {
    const response = await fetch(`${redisA.baseUrl}/auth/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'x' }),
    });
    expect(response.status).toBe(400);
    expect((await bodyOf<ProblemJson>(response)).code).toBe('INVALID_LOGOUT_TOKEN');
  });

  it('a JSON body instead of the form: 415', async () => {
    const response = await fetch(`${redisA.baseUrl}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ logout_token: await oidc().logoutToken('bob') }),
    });
    expect(response.status).toBe(415);
  });
});

describe('a session logged out through Redis-sharing instances', () => {
  it('valid token: 200 no-store, empty body; the session is refused at once here and within a second on the other instance; other sessions of the user are not', async () => {
    const sid = `sid-${randomBytes(6).toString('hex')}`;
    const loggedOut = await session('bob', sid);
    const otherSession = await session('bob', `${sid}-other`);
    // Both instances have verified (and cached) the token before the logout.
    expect(await statusOf(redisA, loggedOut)).toBe(200);
    expect(await statusOf(redisB, loggedOut)).toBe(200);

    const started = Date.now();
    const response = await postLogout(redisA, await oidc().logoutToken('bob', { claims: { sid } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('');

    const refused = await redisA.request(undefined, 'GET', '/tasks', {
      headers: { authorization: `Bearer ${loggedOut}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const problem = await bodyOf<ProblemJson>(refused);
    expect(problem.code).toBe('INVALID_TOKEN');
    expect(problem.detail).toContain('revoked');

    const delay = await refusedAfter(redisB, loggedOut, started);
    console.info(`back-channel logout through Redis: refused on the second instance after ${delay} ms`);
    expect(delay).toBeLessThan(1_000);
    // A token of the same session minted later (a refresh racing the logout) is refused too.
    expect(await statusOf(redisB, await session('bob', sid))).toBe(401);

    expect(await statusOf(redisA, otherSession)).toBe(200);
    expect(await statusOf(redisB, otherSession)).toBe(200);
    expect(await statusOf(redisB, await oidc().token('dave', { claims: { sid } }))).toBe(401);

    const metrics = await (await fetch(`${redisA.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/tasks_auth_failures_total\{reason="revoked"\} [1-9]/);
    expect(metrics).toMatch(/tasks_backchannel_logouts_total\{result="session"\} [1-9]/);
  });

  it('a logout token with a plain JWT typ (or none) is accepted, as the spec tolerates', async () => {
    for (const typ of ['JWT', undefined]) {
      const sid = `sid-${randomBytes(6).toString('hex')}`;
      const token = await session('carol', sid);
      const response = await postLogout(redisB, await oidc().logoutToken('carol', { typ, claims: { sid } }));
      expect(response.status).toBe(200);
      expect(await statusOf(redisB, token)).toBe(401);
    }
  });

  it("a logout naming only sub refuses that user's tokens issued up to it, on both instances, and not later ones", async () => {
    const before = await oidc().token('dave', { claims: { iat: now() - 10, sid: 'dave-1' } });
    const alsoBefore = await oidc().token('dave', { claims: { iat: now() - 5, sid: 'dave-2' } });
    const started = Date.now();
    const response = await postLogout(
      redisA,
      await oidc().logoutToken('dave', { claims: { sid: undefined } }),
    );
    expect(response.status).toBe(200);
    expect(await statusOf(redisA, before)).toBe(401);
    expect(await refusedAfter(redisB, alsoBefore, started)).toBeLessThan(1_000);
    const after = await oidc().token('dave', { claims: { iat: now() + 2, sid: 'dave-3' } });
    expect(await statusOf(redisB, after)).toBe(200);
    expect(await statusOf(redisA, await oidc().token('alice', { claims: { iat: now() - 10 } }))).toBe(200);
  });

  it('the Redis entry expires when the longest-lived access token of the session would have (iat + 300 s + 5 s)', async () => {
    const sid = `sid-${randomBytes(6).toString('hex')}`;
    const iat = now();
    expect((await postLogout(redisA, await oidc().logoutToken('bob', { claims: { sid, iat } }))).status).toBe(
      200,
    );
    const key = `${prefix}session-revocations`;
    const members = await redis.zrange(key, 0, -1, 'WITHSCORES');
    const at = members.findIndex((member) => member.includes(sid));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(Number(members[at + 1])).toBe((iat + 305) * 1000);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(305_000);
  });
});
