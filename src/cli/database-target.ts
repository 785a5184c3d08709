/**
 * Which database a command-line tool works on: DATABASE_URL, or the
 * embedded one (the running API's if it answers, else started here, and
 * stopped again by the caller through `stop`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { rememberedPort } from '../infra/db/embedded-port.ts';
import { EMBEDDED_DATABASE_NAME, startEmbeddedPostgres } from '../infra/db/embedded-postgres.ts';

export interface DatabaseTarget {
  url: string;
  migrationUrl: string;
  where: string;
  stop?: () => Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** DATABASE_URL, or the embedded database (the API's if it is up, else started here). */
export async function databaseTarget(config: Config, log: (line: string) => void): Promise<DatabaseTarget> {
  const { url, migrationUrl } = config.database;
  if (url) return { url, migrationUrl: migrationUrl ?? url, where: new URL(url).host };
  // The port the running server's PostgreSQL was started on, unless EMBEDDED_DATABASE_PORT says otherwise.
  const embeddedPort = config.database.embeddedPort ?? (await rememberedPort(config.dataDir));
  const passwordFile = path.join(config.dataDir, 'postgres-password');
  if (existsSync(passwordFile)) {
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const embeddedUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${embeddedPort}/${EMBEDDED_DATABASE_NAME}`;
    if (await answers(embeddedUrl)) {
      return {
        url: embeddedUrl,
        migrationUrl: embeddedUrl,
        where: `the running embedded PostgreSQL (port ${embeddedPort})`,
      };
    }
  }
  log(`DATABASE_URL is unset and no embedded PostgreSQL answers: starting it (data in ${config.dataDir}) …`);
  const embedded = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, () => {});
  return {
    url: embedded.url,
    migrationUrl: embedded.url,
    where: `the embedded PostgreSQL (port ${embedded.port})`,
    stop: embedded.stop,
  };
}
