/**
 * The development identity provider alone, served by a bare Fastify as the
 * API serves it (dev-idp.plugin.ts), with requests to its token endpoint and
 * checks of its tokens against its published keys.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import pg from 'pg';
import { devIdentityProviderPlugin } from '../../src/auth/dev-idp/dev-idp.plugin.ts';

// The configured public URL, deliberately not where the test listens: the issuer is configuration,
// while endpoint URLs follow the request, as Keycloak's do without a fixed hostname.
export const PUBLIC_URL = 'http://localhost:8000';
export const ISSUER = `${PUBLIC_URL}/realms/tasks`;
export const AUDIENCE = 'tasks-api';

export interface Instance {
  app: FastifyInstance;
  /** Where the realm is reachable in this test: `http://127.0.0.1:<port>/realms/tasks`. */
  realm: string;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_expires_in: number;
  refresh_token: string;
  token_type: string;
  id_token?: string;
  'not-before-policy': number;
  session_state: string;
  scope: string;
  error?: string;
  error_description?: string;
}

export interface KeycloakPayload extends JWTPayload {
  typ: string;
  azp: string;
  sid: string;
  scope: string;
  email: string;
  preferred_username: string;
  realm_access: { roles: string[] };
}

/** A provider on a port of its own, its data in `databaseUrl` and its keys under `dataDir`. */
export async function startDevIdpInstance(databaseUrl: string, dataDir: string): Promise<Instance> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // As the app's own pools do (src/infra/db/database.ts): an idle connection the server ends
  // (the test database dropped WITH (FORCE) at the end) is replaced, not an uncaught error.
  pool.on('error', () => {});
  const app = Fastify();
  app.addHook('onClose', () => pool.end());
  await app.register(devIdentityProviderPlugin, {
    prefix: '/realms/tasks',
    issuer: ISSUER,
    publicUrl: PUBLIC_URL,
    audience: AUDIENCE,
    pool,
    dataDir,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, realm: `http://127.0.0.1:${port}/realms/tasks` };
}

export async function tokenRequest(instance: Instance, form: Record<string, string>) {
  const response = await fetch(`${instance.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/** A refresh grant for tasks-cli. */
export const refreshRequest = (instance: Instance, refreshToken: string) =>
  tokenRequest(instance, {
    grant_type: 'refresh_token',
    client_id: 'tasks-cli',
    refresh_token: refreshToken,
  });

export async function verifiedPayload(instance: Instance, token: string): Promise<KeycloakPayload> {
  const keys = createRemoteJWKSet(new URL(`${instance.realm}/protocol/openid-connect/certs`));
  const { payload } = await jwtVerify<KeycloakPayload>(token, keys, {
    issuer: ISSUER,
    algorithms: ['RS256'],
  });
  return payload;
}
