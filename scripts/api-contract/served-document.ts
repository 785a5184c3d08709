/**
 * The OpenAPI document the server really serves (built by buildApp, as
 * `/openapi.json` returns it), production-shaped: an external identity
 * provider and a public HTTPS URL. Nothing is started: the app is built and
 * closed without listening, without touching a database or a provider.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';

export type OpenApiDocument = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
} & Record<string, unknown>;

/**
 * The document, for an app built with `env` on top of the production-shaped
 * settings (a variable set to undefined is left unset: `OIDC_ISSUER:
 * undefined` mounts the development identity provider).
 */
export async function servedOpenApiDocument(
  env: Record<string, string | undefined> = {},
): Promise<OpenApiDocument> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-openapi-'));
  try {
    const settings: Record<string, string | undefined> = {
      // Never connected to: pools open connections on first query only.
      DATABASE_URL: 'postgres://lint@127.0.0.1:1/lint',
      OIDC_ISSUER: 'https://id.example.com/realms/tasks',
      PUBLIC_URL: 'https://tasks.example.com',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...env,
    };
    const app = await buildApp(
      loadConfig(Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined))),
    );
    try {
      await app.ready();
      // A deep copy: the document of a closed app must not change under its reader.
      return JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument;
    } finally {
      await app.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
