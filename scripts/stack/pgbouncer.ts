/**
 * A PgBouncer in transaction mode in front of one server: its configuration
 * (any database name), its start (clearing a killed one's pid file) and stop.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { answers } from './postgres-server.ts';
import { run, waitFor } from './processes.ts';

export type PoolerName = 'primary-pooler' | 'replica-pooler';

const poolerFiles = (dir: string, name: string) => ({
  ini: path.join(dir, `${name}.ini`),
  pid: path.join(dir, 'run', `${name}.pid`),
  log: path.join(dir, `${name}.log`),
});

export async function startPooler(dir: string, name: PoolerName, listen: number, target: number) {
  const files = poolerFiles(dir, name);
  await writeFile(path.join(dir, 'pgbouncer-users.txt'), '"postgres" ""\n');
  await writeFile(
    files.ini,
    [
      '[databases]',
      // Any database name, so databases created later (one per test file) need no reconfiguration.
      `* = host=127.0.0.1 port=${target}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${listen}`,
      `unix_socket_dir = ${path.join(dir, 'run')}`,
      'auth_type = trust',
      // The exporter reads SHOW POOLS/STATS on the admin console.
      'stats_users = postgres',
      `auth_file = ${path.join(dir, 'pgbouncer-users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 2000',
      'default_pool_size = 40',
      'ignore_startup_parameters = extra_float_digits',
      // A server that is down fails queries within seconds instead of queueing them for minutes.
      'server_login_retry = 1',
      'query_wait_timeout = 3',
      `pidfile = ${files.pid}`,
      `logfile = ${files.log}`,
      '',
    ].join('\n'),
  );
  if (!(await answers(listen))) {
    await run('pgbouncer', ['-d', files.ini], { asPostgres: true }).catch(async (error) => {
      // A stale pid file from a killed pooler blocks the start: clear it and try again.
      await run('rm', ['-f', files.pid]);
      if (!(await answers(listen))) await run('pgbouncer', ['-d', files.ini], { asPostgres: true });
      else throw error;
    });
  }
  await waitFor(`PgBouncer on port ${listen}`, () => answers(listen));
}

export async function stopPooler(dir: string, name: PoolerName) {
  const { pid } = poolerFiles(dir, name);
  if (!existsSync(pid)) return;
  const processId = Number((await readFile(pid, 'utf8')).trim());
  try {
    process.kill(processId, 'SIGINT');
  } catch {
    // already gone
  }
  await waitFor(`PgBouncer ${name} to stop`, async () => !existsSync(pid) || !isAlive(processId), 10_000);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
