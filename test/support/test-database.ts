/**
 * A fresh PostgreSQL database per test file, on the server named by
 * TEST_DATABASE_URL (default: the machine's server on 127.0.0.1:5432), with
 * the real migrations applied. There is no fallback: without a server the
 * integration tests fail loudly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database } from '../../src/infra/db/database.ts';
import { migrate } from '../../src/infra/db/migrator.ts';

export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `tasks_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = withDatabase(ADMIN_DATABASE_URL, name);
  if (options.migrate !== false) await migrate(url);
  return {
    url,
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Pools on a test database, as a worker process opens them (direct, no replicas). */
export function databaseFor(url: string): Database {
  return createDatabase({
    url,
    migrationUrl: url,
    migrateOnStart: false,
    replicaUrls: [],
    replicaMaxLagSeconds: 30,
    poolSize: 4,
    preparedStatements: false,
    embeddedPort: 0,
  });
}

/** Polls `check` until it holds; fails with `what` after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  for (let waited = 0; waited < ms; waited += 50) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

/**
 * A fresh database for the calling test file, with a Database on it: created
 * before the file's tests, closed and dropped after. Read `.db` and `.url` in
 * the tests (they exist once the file's beforeAll has run).
 */
export function useTestDatabase(): { readonly db: Database; readonly url: string } {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = databaseFor(database.url);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  const ready = () => {
    if (!database || !db) throw new Error('useTestDatabase(): read inside a test, after its beforeAll');
    return { database, db };
  };
  return {
    get db() {
      return ready().db;
    },
    get url() {
      return ready().database.url;
    },
  };
}
