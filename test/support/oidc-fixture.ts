/**
 * A stand-in OIDC provider for integration tests: a real HTTP server with a
 * discovery document and a JWKS, and real RS256 signatures, so the API
 * verifies test tokens exactly as it verifies Keycloak's. Tokens can be
 * minted with any claim changed, to test each way a token can be wrong.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { keycloakAccessTokenClaims } from '../../src/auth/dev-idp/keycloak-token-shape.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/auth/logout-token.ts';

export const TEST_USERS = {
  alice: { sub: 'a1a1a1a1-0000-4000-8000-000000000001', roles: ['admin'] },
  bob: { sub: 'b0b0b0b0-0000-4000-8000-000000000002', roles: ['user'] },
  dave: { sub: 'dadadada-0000-4000-8000-000000000004', roles: ['user'] },
  carol: { sub: 'ca0ca0ca-0000-4000-8000-000000000003', roles: ['viewer'] },
  erin: { sub: 'e0e0e0e0-0000-4000-8000-000000000005', roles: [] },
} as const;
export type TestUser = keyof typeof TEST_USERS;

export const AUDIENCE = 'tasks-api';

interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface MintOptions {
  /** Claims to add or replace; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Sign with a key that is not published (a second, unrelated key pair). */
  unpublishedKey?: boolean;
  /** Sign with the key `rotateSigningKey` retired (no longer published). */
  retiredKey?: boolean;
  kid?: string;
  lifetimeSeconds?: number;
}

export interface LogoutMintOptions {
  /** Claims to add or replace; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** The header's `typ` (default `logout+jwt`); `undefined` leaves it out. */
  typ?: string | undefined;
  unpublishedKey?: boolean;
  kid?: string;
}

export interface OidcFixture {
  issuer: string;
  token(user: TestUser, options?: MintOptions): Promise<string>;
  /**
   * A back-channel logout token for `user`'s session `sid` (default: the session of `token(user)`),
   * addressed to tasks-cli, as Keycloak sends it (OIDC Back-Channel Logout 1.0, section 2.4).
   */
  logoutToken(user: TestUser, options?: LogoutMintOptions): Promise<string>;
  /** Key rotation: a new key signs and is the only one published; the old one is retired. */
  rotateSigningKey(): Promise<void>;
  close(): Promise<void>;
}

export async function startOidcFixture(): Promise<OidcFixture> {
  let published = await newSigningKey('fixture-key-1');
  let retired: SigningKey | undefined;
  const unpublished = await newSigningKey('fixture-key-unpublished');
  let issuer = '';
  const server: Server = createServer((request, response) => {
    const route = request.url ?? '';
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (route.endsWith('/.well-known/openid-configuration')) {
      return send({
        issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      });
    }
    if (route.endsWith('/protocol/openid-connect/certs')) return send({ keys: [published.publicJwk] });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/tasks`;

  return {
    issuer,
    async token(user, options = {}) {
      const key = options.unpublishedKey ? unpublished : options.retiredKey && retired ? retired : published;
      const now = Math.floor(Date.now() / 1000);
      const lifetime = options.lifetimeSeconds ?? 300;
      // The token shape the development provider issues and the realm export describes.
      const payload: JWTPayload = {
        ...keycloakAccessTokenClaims(
          {
            sub: TEST_USERS[user].sub,
            username: user,
            email: `${user}@example.test`,
            roles: TEST_USERS[user].roles,
          },
          {
            issuer,
            audience: AUDIENCE,
            clientId: 'tasks-cli',
            sessionId: `session-${user}`,
            scope: 'openid profile email',
          },
        ),
        iat: now,
        exp: now + lifetime,
        jti: crypto.randomUUID(),
      };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? key.kid })
        .sign(key.privateKey);
    },
    async logoutToken(user, options = {}) {
      const key = options.unpublishedKey ? unpublished : published;
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        aud: 'tasks-cli',
        iat: now,
        exp: now + 120,
        jti: crypto.randomUUID(),
        sub: TEST_USERS[user].sub,
        sid: `session-${user}`,
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      const typ = 'typ' in options ? options.typ : 'logout+jwt';
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, ...(typ ? { typ } : {}) })
        .sign(key.privateKey);
    },
    async rotateSigningKey() {
      const next = await newSigningKey(`fixture-key-${Number(published.kid.split('-').pop()) + 1}`);
      retired = published;
      published = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
