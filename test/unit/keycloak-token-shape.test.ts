/**
 * One token shape for the three places that describe it: the realm export
 * (what Keycloak issues), the development provider (keycloakAccessTokenClaims)
 * and the integration tests' fixture. The development provider's real tokens
 * are checked against the same list in test/integration/dev-idp-logout.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  keycloakAccessTokenClaims,
  REQUIRED_ACCESS_TOKEN_CLAIMS,
} from '../../src/auth/dev-idp/keycloak-token-shape.ts';
import { loadConfig } from '../../src/config/config.ts';
import {
  claimNamesOf,
  KEYCLOAK_ACCESS_TOKEN_AUDIENCE,
  KEYCLOAK_ACCESS_TOKEN_CLAIMS,
} from '../support/keycloak-token-claims.ts';
import { type OidcFixture, startOidcFixture } from '../support/oidc-fixture.ts';

interface RealmClient {
  clientId: string;
  publicClient?: boolean;
  frontchannelLogout?: boolean;
  redirectUris?: string[];
  attributes?: Record<string, string>;
  protocolMappers?: { protocolMapper: string; config: Record<string, string> }[];
}

const realm = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../../deploy/keycloak/tasks-realm.json'), 'utf8'),
) as { accessTokenLifespan: number; clients: RealmClient[] };
const client = (id: string) => realm.clients.find((c) => c.clientId === id) as RealmClient;
const LOGIN_CLIENTS = ['tasks-cli', 'tasks-web'];

let fixture: OidcFixture;
beforeAll(async () => {
  fixture = await startOidcFixture();
});
afterAll(() => fixture?.close());

describe('access token shape', () => {
  it("the development provider's claims, with iat, exp and jti, are the realm's claims", () => {
    const claims = keycloakAccessTokenClaims(
      {
        sub: 'b0b0b0b0-0000-4000-8000-000000000002',
        username: 'bob',
        email: 'bob@example.test',
        roles: ['user'],
      },
      {
        issuer: 'http://localhost:8000/realms/tasks',
        audience: 'tasks-api',
        clientId: 'tasks-cli',
        sessionId: 's',
        scope: 'profile email',
      },
    );
    expect([...Object.keys(claims), 'iat', 'exp', 'jti'].sort()).toEqual([...KEYCLOAK_ACCESS_TOKEN_CLAIMS]);
    expect(claims.aud).toEqual([...KEYCLOAK_ACCESS_TOKEN_AUDIENCE]);
    for (const required of REQUIRED_ACCESS_TOKEN_CLAIMS)
      expect(KEYCLOAK_ACCESS_TOKEN_CLAIMS).toContain(required);
  });

  it("the test fixture's tokens have the same claims", async () => {
    expect(claimNamesOf(await fixture.token('bob'))).toEqual([...KEYCLOAK_ACCESS_TOKEN_CLAIMS]);
  });

  it('the realm puts tasks-api in aud of the access tokens of both login clients (audience mapper)', () => {
    for (const id of LOGIN_CLIENTS) {
      const audience = client(id).protocolMappers?.find((m) => m.protocolMapper === 'oidc-audience-mapper');
      expect(audience?.config, id).toMatchObject({
        'included.client.audience': 'tasks-api',
        'access.token.claim': 'true',
      });
    }
  });

  it('the realm and the development provider issue 5-minute access tokens, the lifetime a logout is remembered for', () => {
    expect(realm.accessTokenLifespan).toBe(ACCESS_TOKEN_LIFETIME_SECONDS);
    expect(loadConfig({}).oidc.accessTokenLifetimeSeconds).toBe(ACCESS_TOKEN_LIFETIME_SECONDS);
  });
});

describe('logout in the realm', () => {
  it("both login clients send back-channel logout tokens, with sid, to the API's endpoint", () => {
    for (const id of LOGIN_CLIENTS) {
      expect(client(id).publicClient, id).toBe(true);
      expect(client(id).frontchannelLogout, id).toBe(false);
      expect(client(id).attributes, id).toMatchObject({
        'backchannel.logout.session.required': 'true',
        'backchannel.logout.url': expect.stringMatching(/^https?:\/\/[^/]+\/auth\/backchannel-logout$/),
      });
    }
  });

  it('the API accepts logout tokens addressed to either login client by default', () => {
    expect(loadConfig({}).oidc.logoutAudiences).toEqual(expect.arrayContaining(LOGIN_CLIENTS));
  });

  it('the docs page can log in: tasks-web redirects to /docs/static/oauth2-redirect.html with PKCE S256', () => {
    expect(client('tasks-web').redirectUris).toContain(
      'http://localhost:8000/docs/static/oauth2-redirect.html',
    );
    expect(client('tasks-web').attributes?.['pkce.code.challenge.method']).toBe('S256');
  });
});
