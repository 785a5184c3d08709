/**
 * Ending a session at the development identity provider, the Keycloak way,
 * with the whole API around it: two API instances in development mode (no
 * OIDC_ISSUER) sharing the database, the data folder (so the signing key)
 * and Redis, as `npm start` workers or pods do. `POST <end_session_endpoint>`
 * with client_id + refresh_token makes the provider revoke the session's
 * grants and post a logout token to the API's /auth/backchannel-logout
 * (the path Keycloak drives): the refresh token is dead, and every instance
 * refuses the session's access tokens within a second.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { cookieSession } from '../support/cookie-session.ts';
import {
  claimNamesOf,
  KEYCLOAK_ACCESS_TOKEN_AUDIENCE,
  KEYCLOAK_ACCESS_TOKEN_CLAIMS,
} from '../support/keycloak-token-claims.ts';
import { refusedAfter, statusOf } from '../support/logout-checks.ts';
import { pkceAuthorization } from '../support/pkce.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PUBLIC_URL = 'http://localhost:8000';

interface Tokens {
  access_token: string;
  refresh_token: string;
  session_state: string;
  error?: string;
}

let first: RunningApi;
let second: RunningApi;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-idp-logout-'));
  const env = {
    OIDC_ISSUER: '', // unset: the development provider
    PUBLIC_URL,
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: `test-dev-logout-${randomBytes(4).toString('hex')}:`,
  };
  first = await startApi(env);
  second = await startApi(env, { database: first.database });
});

afterAll(async () => {
  await second?.close();
  await first?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const realm = (api: RunningApi) => `${api.baseUrl}/realms/tasks/protocol/openid-connect`;

async function form(url: string, fields: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Tokens | undefined };
}

async function login(api: RunningApi, username: string): Promise<Tokens> {
  const { status, body } = await form(`${realm(api)}/token`, {
    grant_type: 'password',
    client_id: 'tasks-cli',
    username,
    password: username,
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body as Tokens;
}

const refresh = (api: RunningApi, clientId: string, refreshToken: string) =>
  form(`${realm(api)}/token`, {
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: refreshToken,
  });

const endSession = (api: RunningApi, clientId: string, refreshToken: string) =>
  form(`${realm(api)}/logout`, { client_id: clientId, refresh_token: refreshToken });

/** The authorization code flow with PKCE through the login form, as the docs page runs it. */
async function browserLogin(api: RunningApi, username: string): Promise<Tokens> {
  const go = cookieSession();
  const next = (response: Response) => new URL(response.headers.get('location') ?? '', realm(api)).href;
  const authorization = pkceAuthorization(
    `${realm(api)}/auth`,
    `${PUBLIC_URL}/docs/static/oauth2-redirect.html`,
    'openid profile email',
  );
  const loginPage = next(await go(authorization.url));
  const accepted = await go(loginPage, {
    method: 'POST',
    body: new URLSearchParams({ prompt: 'login', login: username, password: username }),
  });
  const callback = new URL(next(await go(next(accepted))));
  const { status, body } = await form(
    `${realm(api)}/token`,
    authorization.tokenForm(callback.searchParams.get('code') ?? ''),
  );
  expect(status, JSON.stringify(body)).toBe(200);
  return body as Tokens;
}

describe('development identity provider: sessions that really end', () => {
  it('discovery advertises end_session_endpoint, revocation and back-channel logout', async () => {
    const response = await fetch(`${first.baseUrl}/realms/tasks/.well-known/openid-configuration`);
    expect(await response.json()).toMatchObject({
      issuer: `${PUBLIC_URL}/realms/tasks`,
      end_session_endpoint: `${realm(first)}/logout`,
      revocation_endpoint: `${realm(first)}/revoke`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it('access tokens have exactly the claims of a Keycloak access token of the realm, sid included', async () => {
    const tokens = await login(first, 'bob');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(claimNamesOf(tokens.access_token)).toEqual([...KEYCLOAK_ACCESS_TOKEN_CLAIMS]);
    const payload = decodeJwt(tokens.access_token);
    expect(payload.aud).toEqual([...KEYCLOAK_ACCESS_TOKEN_AUDIENCE]);
    expect(payload.sid).toBe(tokens.session_state);
    const refreshed = await refresh(second, 'tasks-cli', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(claimNamesOf(refreshed.body?.access_token ?? '')).toEqual([...KEYCLOAK_ACCESS_TOKEN_CLAIMS]);
    const browser = await browserLogin(first, 'carol');
    expect(claimNamesOf(browser.access_token)).toEqual([...KEYCLOAK_ACCESS_TOKEN_CLAIMS]);
  });

  it('end-session with client_id + refresh_token: 204; the refresh token is dead; every instance refuses the session within a second; other sessions live on', async () => {
    const session = await login(first, 'bob');
    const otherSession = await login(second, 'bob');
    // A refresh works before the logout, and its access token belongs to the same session.
    const refreshed = await refresh(second, 'tasks-cli', session.refresh_token);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const { access_token: accessToken, refresh_token: refreshToken } = refreshed.body as Tokens;
    for (const api of [first, second]) {
      expect(await statusOf(api, session.access_token)).toBe(200);
      expect(await statusOf(api, accessToken)).toBe(200);
    }

    const started = Date.now();
    const ended = await endSession(first, 'tasks-cli', refreshToken);
    expect(ended.status).toBe(204);
    // The logout token reached the API before the end-session answered: refused here at once.
    expect(await statusOf(first, accessToken)).toBe(401);
    const delay = await refusedAfter(second, session.access_token, started);
    console.info(`end-session at the development provider: refused on the second instance after ${delay} ms`);
    expect(delay).toBeLessThan(1_000);
    expect(await statusOf(second, accessToken)).toBe(401);

    const afterLogout = await refresh(second, 'tasks-cli', refreshToken);
    expect(afterLogout.status).toBe(400);
    expect(afterLogout.body?.error).toBe('invalid_grant');

    for (const api of [first, second]) expect(await statusOf(api, otherSession.access_token)).toBe(200);
    expect((await refresh(first, 'tasks-cli', otherSession.refresh_token)).status).toBe(200);

    const metrics = await (await fetch(`${first.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/tasks_backchannel_logouts_total\{result="session"\} [1-9]/);
  });

  it('end-session with a refresh token already rotated away ends the session too: 204, every access token of it refused', async () => {
    const session = await login(first, 'bob');
    const refreshed = await refresh(first, 'tasks-cli', session.refresh_token);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const current = refreshed.body as Tokens;

    const started = Date.now();
    expect((await endSession(second, 'tasks-cli', session.refresh_token)).status).toBe(204);
    expect(await refusedAfter(first, session.access_token, started)).toBeLessThan(1_000);
    expect(await refusedAfter(first, current.access_token, started)).toBeLessThan(1_000);
    expect(await statusOf(second, current.access_token)).toBe(401);
    expect((await refresh(first, 'tasks-cli', current.refresh_token)).body?.error).toBe('invalid_grant');
  });

  it('a spent refresh token presented again (RFC 9700 theft signal) ends the whole session: 400 invalid_grant, every access token of it refused on every instance within a second', async () => {
    const session = await login(first, 'dave');
    const otherSession = await login(first, 'dave');
    const rotated = await refresh(first, 'tasks-cli', session.refresh_token);
    expect(rotated.status).toBe(200);
    const current = rotated.body as Tokens;
    for (const api of [first, second]) expect(await statusOf(api, current.access_token)).toBe(200);

    const started = Date.now();
    const reused = await refresh(second, 'tasks-cli', session.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body?.error).toBe('invalid_grant');
    // The session ended before the refusal was answered: refused here at once.
    expect(await statusOf(second, current.access_token)).toBe(401);
    for (const token of [session.access_token, current.access_token]) {
      const delay = await refusedAfter(first, token, started);
      console.info(`refresh-token reuse: session refused on the other instance after ${delay} ms`);
      expect(delay).toBeLessThan(1_000);
    }
    expect((await refresh(first, 'tasks-cli', current.refresh_token)).body?.error).toBe('invalid_grant');
    // Another login of the same user is another session: untouched.
    for (const api of [first, second]) expect(await statusOf(api, otherSession.access_token)).toBe(200);
  });

  it('a spent refresh token of a browser session (tasks-web) ends it too', async () => {
    const session = await browserLogin(first, 'carol');
    const rotated = await refresh(first, 'tasks-web', session.refresh_token);
    expect(rotated.status).toBe(200);
    const started = Date.now();
    expect((await refresh(second, 'tasks-web', session.refresh_token)).body?.error).toBe('invalid_grant');
    expect(await refusedAfter(first, (rotated.body as Tokens).access_token, started)).toBeLessThan(1_000);
  });

  it('a browser session (tasks-web, code + PKCE) ends the same way', async () => {
    const session = await browserLogin(first, 'dave');
    expect(await statusOf(second, session.access_token)).toBe(200);
    const started = Date.now();
    expect((await endSession(second, 'tasks-web', session.refresh_token)).status).toBe(204);
    expect(await refusedAfter(first, session.access_token, started)).toBeLessThan(1_000);
    expect((await refresh(first, 'tasks-web', session.refresh_token)).body?.error).toBe('invalid_grant');
  });

  it.each([
    ['an unknown refresh token', 'tasks-cli', 'not-a-refresh-token', 400, 'invalid_grant'],
    ['another client than the token was issued to', 'tasks-web', undefined, 400, 'invalid_grant'],
    ['an unknown client', 'no-such-client', undefined, 401, 'invalid_client'],
  ])(
    'end-session with %s: %i %s, and the session lives on',
    async (_case, clientId, token, status, error) => {
      const session = await login(first, 'alice');
      const answer = await endSession(first, clientId, token ?? session.refresh_token);
      expect(answer.status).toBe(status);
      expect(answer.body?.error).toBe(error);
      expect(await statusOf(second, session.access_token)).toBe(200);
      expect((await refresh(second, 'tasks-cli', session.refresh_token)).status).toBe(200);
    },
  );

  it("the README's logout example runs as written (every variable it uses set, `set -u`): 204", async () => {
    const readme = await readFile(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.split(/^## /m).find((part) => part.startsWith('Log out'));
    const script = /```sh\n([\s\S]*?)```/.exec(section ?? '')?.[1];
    expect(script, 'a sh block in the README section "Log out"').toBeDefined();
    const { stdout } = await promisify(execFile)('bash', [
      '-euo',
      'pipefail',
      '-c',
      (script ?? '').replaceAll('http://localhost:8000', first.baseUrl),
    ]);
    expect(stdout.trim()).toBe('204');
  });

  it('a revoked refresh token (RFC 7009) can no longer be redeemed', async () => {
    const session = await login(second, 'carol');
    const revoked = await fetch(`${realm(first)}/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'tasks-cli', token: session.refresh_token }),
    });
    expect(revoked.status).toBe(200);
    expect((await refresh(second, 'tasks-cli', session.refresh_token)).body?.error).toBe('invalid_grant');
  });
});
