/**
 * One PostgreSQL server of the machine's packages, run as the postgres user
 * with pg_ctl: where its binaries are, whether it answers, start and stop.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { run, waitFor } from './processes.ts';

export async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error(
      'PostgreSQL server binaries not found in /usr/lib/postgresql (apt-get install postgresql)',
    );
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** Whether a PostgreSQL (or a PgBouncer) on `port` runs `sql`. */
export async function answers(port: number, sql = 'SELECT 1'): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 1_000,
  });
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function isRunning(dataDir: string): Promise<boolean> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  try {
    await run(path.join(await binDir(), 'pg_ctl'), ['-D', dataDir, 'status'], { asPostgres: true });
    return true;
  } catch {
    return false;
  }
}

export async function startServer(dataDir: string, port: number): Promise<void> {
  if (!(await isRunning(dataDir))) {
    await run(
      path.join(await binDir(), 'pg_ctl'),
      ['-D', dataDir, '-l', `${dataDir}.log`, '-w', '-t', '60', 'start'],
      {
        asPostgres: true,
      },
    );
  }
  await waitFor(`PostgreSQL on port ${port}`, () => answers(port));
}

export async function stopServer(dataDir: string): Promise<void> {
  if (await isRunning(dataDir)) {
    await run(path.join(await binDir(), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], {
      asPostgres: true,
    });
  }
}
