/**
 * The development identity provider as Keycloak's `tasks` realm: discovery,
 * the password, refresh and code grants, revocation, userinfo and the signing
 * keys two instances sharing a database and a data folder agree on.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys } from '../../src/auth/dev-idp/signing-keys.ts';
import { cookieSession } from '../support/cookie-session.ts';
import {
  AUDIENCE,
  type Instance,
  ISSUER,
  type KeycloakPayload,
  PUBLIC_URL,
  refreshRequest,
  startDevIdpInstance,
  tokenRequest,
  verifiedPayload,
} from '../support/dev-idp-instance.ts';
import { pkceAuthorization } from '../support/pkce.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let database: TestDatabase;
let dataDir: string;
let first: Instance;
let second: Instance;

const passwordLogin = (username: string, password = username, extra: Record<string, string> = {}) =>
  tokenRequest(first, { grant_type: 'password', client_id: 'tasks-cli', username, password, ...extra });

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-idp-test-'));
  first = await startDevIdpInstance(database.url, dataDir);
  second = await startDevIdpInstance(database.url, dataDir);
});

afterAll(async () => {
  await first?.app.close();
  await second?.app.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('development identity provider', () => {
  it('discovery names the configured issuer and the Keycloak endpoint paths', async () => {
    const response = await fetch(`${first.realm}/.well-known/openid-configuration`);
    const document = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(document).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${first.realm}/protocol/openid-connect/token`,
      jwks_uri: `${first.realm}/protocol/openid-connect/certs`,
      authorization_endpoint: `${first.realm}/protocol/openid-connect/auth`,
      end_session_endpoint: `${first.realm}/protocol/openid-connect/logout`,
      revocation_endpoint: `${first.realm}/protocol/openid-connect/revoke`,
      userinfo_endpoint: `${first.realm}/protocol/openid-connect/userinfo`,
      introspection_endpoint: `${first.realm}/protocol/openid-connect/token/introspect`,
    });
    expect(document.grant_types_supported).toEqual(expect.arrayContaining(['password', 'refresh_token']));
  });

  it('password grant for bob returns a Keycloak-shaped response and a verifiable RS256 access token', async () => {
    const { status, body } = await passwordLogin('bob');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      'not-before-policy': 0,
      scope: 'profile email',
    });
    expect(body.refresh_expires_in).toBeGreaterThan(0);
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body.id_token).toBeUndefined();

    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const payload = await verifiedPayload(first, body.access_token);
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'b0b0b0b0-0000-4000-8000-000000000002',
      typ: 'Bearer',
      azp: 'tasks-cli',
      scope: 'profile email',
      realm_access: { roles: ['user'] },
      preferred_username: 'bob',
      email: 'bob@example.test',
      email_verified: true,
    });
    expect(payload.aud).toContain(AUDIENCE);
    expect(payload.sid).toBe(body.session_state);
    expect(payload.jti).toEqual(expect.any(String));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload).not.toHaveProperty('client_id');
  });

  it('password grant with scope openid also returns an ID token for tasks-cli', async () => {
    const { status, body } = await passwordLogin('bob', 'bob', { scope: 'openid' });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('openid profile email');
    const keys = createRemoteJWKSet(new URL(`${first.realm}/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(body.id_token ?? '', keys, { issuer: ISSUER, audience: 'tasks-cli' });
    expect(payload).toMatchObject({
      preferred_username: 'bob',
      email: 'bob@example.test',
      sid: body.session_state,
    });
  });

  it.each([
    ['a wrong password', 'bob', 'alice'],
    ['an unknown user', 'mallory', 'mallory'],
  ])('password grant with %s answers 401 invalid_grant', async (_case, username, password) => {
    const { status, body } = await passwordLogin(username, password);
    expect(status).toBe(401);
    expect(body).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
  });

  it.each([
    ['alice', ['admin']],
    ['carol', ['viewer']],
    ['erin', []],
  ])('password grant for %s carries realm roles %j', async (username, roles) => {
    const { status, body } = await passwordLogin(username);
    expect(status, JSON.stringify(body)).toBe(200);
    const payload = await verifiedPayload(first, body.access_token);
    expect(payload.realm_access.roles).toEqual(roles);
    expect(payload.email).toBe(`${username}@example.test`);
  });

  it('refresh grant returns a same-shaped access token and rotates the refresh token', async () => {
    const login = await passwordLogin('bob');
    const refreshed = await refreshRequest(first, login.body.refresh_token);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'profile email' });
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect(refreshed.body.session_state).toBe(login.body.session_state);
    const before = await verifiedPayload(first, login.body.access_token);
    const after = await verifiedPayload(first, refreshed.body.access_token);
    const shapeOf = ({ iat: _iat, exp: _exp, jti: _jti, ...rest }: KeycloakPayload) => rest;
    expect(shapeOf(after)).toEqual(shapeOf(before));
    expect(after.jti).not.toBe(before.jti);

    const reused = await refreshRequest(first, login.body.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('a refresh token issued by one instance is redeemable at another sharing the database', async () => {
    const login = await passwordLogin('dave');
    const refreshed = await refreshRequest(second, login.body.refresh_token);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const payload = await verifiedPayload(second, refreshed.body.access_token);
    expect(payload).toMatchObject({ preferred_username: 'dave', sid: login.body.session_state });
  });

  it('a revoked refresh token can no longer be redeemed', async () => {
    const login = await passwordLogin('bob');
    const revoked = await fetch(`${first.realm}/protocol/openid-connect/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'tasks-cli', token: login.body.refresh_token }),
    });
    expect(revoked.status).toBe(200);
    const refreshed = await refreshRequest(second, login.body.refresh_token);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('userinfo with a valid access token returns the user claims, without one 401', async () => {
    const { body } = await passwordLogin('carol');
    const userinfo = `${first.realm}/protocol/openid-connect/userinfo`;
    const ok = await fetch(userinfo, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ preferred_username: 'carol', email: 'carol@example.test' });
    const refused = await fetch(userinfo, { headers: { authorization: 'Bearer not-a-token' } });
    expect(refused.status).toBe(401);
  });

  it('a second instance serves the same signing key, persisted with mode 0600', async () => {
    const kids = async (instance: Instance) => {
      const response = await fetch(`${instance.realm}/protocol/openid-connect/certs`);
      const { keys } = (await response.json()) as { keys: { kid: string; d?: string }[] };
      expect(keys.every((key) => key.d === undefined)).toBe(true);
      return keys.map((key) => key.kid);
    };
    const firstKids = await kids(first);
    expect(firstKids).toHaveLength(1);
    expect(await kids(second)).toEqual(firstKids);
    const file = await stat(path.join(dataDir, 'dev-idp', 'signing-keys.json'));
    if (process.platform !== 'win32') expect(file.mode & 0o777).toBe(0o600);
  });

  it('signing keys created by concurrent starts on an empty folder are one and the same', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'dev-idp-keys-'));
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSigningKeys(folder)));
      const kids = new Set(results.map((keys) => keys.publicJwks.keys[0]?.kid));
      expect(kids.size).toBe(1);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('the login form accepts only a development user with the right password', async () => {
    const go = cookieSession();
    const next = (response: Response) => new URL(response.headers.get('location') ?? '', first.realm).href;
    const redirectUri = `${PUBLIC_URL}/docs/static/oauth2-redirect.html`;
    const authorization = pkceAuthorization(
      `${first.realm}/protocol/openid-connect/auth`,
      redirectUri,
      'openid',
    );

    const loginPage = next(await go(authorization.url));
    const login = (password: string) =>
      go(loginPage, {
        method: 'POST',
        body: new URLSearchParams({ prompt: 'login', login: 'bob', password }),
      });
    expect((await login('wrong')).status).toBe(401);
    const accepted = await login('bob');
    expect(accepted.status).toBe(303);
    const callback = new URL(next(await go(next(accepted))));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-1');

    const { status, body } = await tokenRequest(
      first,
      authorization.tokenForm(callback.searchParams.get('code') ?? ''),
    );
    expect(status, JSON.stringify(body)).toBe(200);
    const payload = await verifiedPayload(first, body.access_token);
    expect(payload).toMatchObject({ azp: 'tasks-web', preferred_username: 'bob', typ: 'Bearer' });
    expect(payload.sid).toEqual(expect.any(String));
    expect(payload.aud).toContain(AUDIENCE);
  });
});
