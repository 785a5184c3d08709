/**
 * A database of the test's own on the PostgreSQL topology that CI starts
 * (`npm run stack:db -- --apply-delay 3s`): created and migrated on the
 * primary directly, returned once the replica has it too. No topology, no
 * test: it fails with the command to run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { topologyUrls } from '../../scripts/stack/postgres-topology.ts';
import { migrate } from '../../src/infra/db/migrator.ts';
import type { TestDatabase } from './test-database.ts';

export interface TopologyDatabase extends TestDatabase {
  primaryPoolerUrl: string;
  replicaUrl: string;
  replicaPoolerUrl: string;
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTopologyDatabase(): Promise<TopologyDatabase> {
  const name = `tasks_topo_${randomBytes(6).toString('hex')}`;
  const urls = topologyUrls(name);
  const admin = topologyUrls('postgres');
  try {
    await query(admin.primaryUrl, `CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `The PostgreSQL topology is not running (${admin.primaryUrl}): start it with npm run stack:db -- --apply-delay 3s`,
      { cause: error },
    );
  }
  const applied = await migrate(urls.primaryUrl);
  // The replica applies WAL after its delay: wait until it has the migrated database.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await query(urls.replicaUrl, 'SELECT count(*)::int AS n FROM schema_migrations').then(
      (result) => result.rows[0]?.n === applied.length,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the replica did not receive database ${name} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    url: urls.primaryUrl,
    primaryPoolerUrl: urls.primaryPoolerUrl,
    replicaUrl: urls.replicaUrl,
    replicaPoolerUrl: urls.replicaPoolerUrl,
    drop: () => query(admin.primaryUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {}),
  };
}
