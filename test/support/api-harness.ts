/**
 * Starts the real application over real HTTP for an integration test file:
 * its own migrated database, the OIDC fixture as identity provider.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type OidcFixture, startOidcFixture, type TestUser } from './oidc-fixture.ts';
import { freePort } from './private-redis.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** An RFC 9457 problem as the API renders it. */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  errors?: { pointer?: string; parameter?: string; message: string }[];
}

/** The parsed JSON body of a response, typed as the caller expects it to be. */
export async function bodyOf<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export interface RunningApi {
  baseUrl: string;
  app: FastifyInstance;
  database: TestDatabase;
  oidc: OidcFixture;
  /** fetch against the API as a user (or with no token when `user` is undefined). */
  request(
    user: TestUser | undefined,
    method: string,
    path: string,
    init?: RequestInit & { json?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** What a second instance shares with the first (as pods share a database and an identity provider). */
export interface SharedWith {
  database?: TestDatabase;
  oidc?: OidcFixture;
}

export async function startApi(
  env: Record<string, string> = {},
  shared: SharedWith = {},
): Promise<RunningApi> {
  const database = shared.database ?? (await createTestDatabase());
  const oidc = shared.oidc ?? (await startOidcFixture());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-test-'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    OIDC_ISSUER: oidc.issuer,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests send hundreds of requests as one user: the rate limit is off unless a test sets it.
    RATE_LIMIT_MAX: '0',
    ...env,
  });
  const app = await buildApp(config);
  // Port 0 (any free one) unless the test needs to know it before the start (PUBLIC_URL).
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    app,
    database,
    oidc,
    async request(user, method, route, init = {}) {
      const headers = new Headers(init.headers);
      if (user) headers.set('authorization', `Bearer ${await oidc.token(user)}`);
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      return fetch(`${baseUrl}${route}`, { ...init, method, headers, body });
    },
    async close() {
      await app.close();
      // What was shared belongs to the instance that created it.
      if (!shared.oidc) await oidc.close();
      if (!shared.database) await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An API serving its own development provider (no OIDC_ISSUER) at an address
 * known before it starts: a browser must reach the page, the redirect URI and
 * the issuer all at the one address it uses.
 */
export async function startDevelopmentApi(): Promise<{ api: RunningApi; publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const api = await startApi({ OIDC_ISSUER: '', PORT: String(port), PUBLIC_URL: publicUrl });
  return { api, publicUrl };
}

export interface ApiWithDatabase {
  api: RunningApi;
  /** A pool on the API's database, to read what the API wrote. */
  db: pg.Pool;
}

/** For the calling test file: an API and a pool on its database, started before its tests, closed after. */
export function useApiWithDatabase(): ApiWithDatabase {
  const running = {} as ApiWithDatabase;
  beforeAll(async () => {
    running.api = await startApi();
    running.db = new pg.Pool({ connectionString: running.api.database.url, max: 2 });
  });
  afterAll(async () => {
    await running.db.end();
    await running.api.close();
  });
  return running;
}
