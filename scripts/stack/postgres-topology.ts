/**
 * The production read topology on one machine, from Debian's binaries: a
 * PostgreSQL primary, a streaming replica made with `pg_basebackup -R`
 * (optionally applying WAL after a delay, to make lag visible), and a
 * PgBouncer in transaction mode in front of each. Idempotent: parts already
 * running are kept; `stop` stops them all. Used by CI and the tests.
 */
import { constants, existsSync } from 'node:fs';
import { access, appendFile, chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { run, serverDirectory, waitFor } from './processes.ts';

export const PORTS = { primary: 5441, replica: 5442, primaryPooler: 6441, replicaPooler: 6442 } as const;
export type Part = 'primary' | 'replica' | 'primary-pooler' | 'replica-pooler';

export interface TopologyOptions {
  /** Folder for data, configuration and logs (default ./.stack/postgres). */
  dir?: string;
  /** `recovery_min_apply_delay` of the replica, e.g. '3s' (default '0'). */
  applyDelay?: string;
}

export function topologyUrls(database: string) {
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    primaryUrl: url(PORTS.primary),
    replicaUrl: url(PORTS.replica),
    primaryPoolerUrl: url(PORTS.primaryPooler),
    replicaPoolerUrl: url(PORTS.replicaPooler),
  };
}

const folderOf = (options: TopologyOptions) => path.resolve(options.dir ?? path.join('.stack', 'postgres'));

async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error(
      'PostgreSQL server binaries not found in /usr/lib/postgresql (apt-get install postgresql)',
    );
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

async function answers(port: number, sql = 'SELECT 1'): Promise<boolean> {
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

async function isRunning(dataDir: string): Promise<boolean> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  try {
    await run(path.join(await binDir(), 'pg_ctl'), ['-D', dataDir, 'status'], { asPostgres: true });
    return true;
  } catch {
    return false;
  }
}

async function startServer(dataDir: string, port: number): Promise<void> {
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

async function stopServer(dataDir: string): Promise<void> {
  if (await isRunning(dataDir)) {
    await run(path.join(await binDir(), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], {
      asPostgres: true,
    });
  }
}

async function startPrimary(dir: string): Promise<void> {
  const dataDir = path.join(dir, 'primary');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await serverDirectory(dataDir);
    await run(
      path.join(await binDir(), 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'],
      {
        asPostgres: true,
      },
    );
    await appendFile(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `port = ${PORTS.primary}`,
        `unix_socket_directories = '${path.join(dir, 'run')}'`,
        'wal_level = replica',
        'max_wal_senders = 10',
        'max_connections = 300',
        'hot_standby = on',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(dataDir, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n',
    );
  }
  await startServer(dataDir, PORTS.primary);
}

/** The replica's own settings, rewritten at every start so the apply delay follows the options. */
async function configureReplica(dataDir: string, applyDelay: string): Promise<void> {
  const autoConf = path.join(dataDir, 'postgresql.auto.conf');
  const kept = (await readFile(autoConf, 'utf8'))
    .split('\n')
    .filter((line) => !/^(port|recovery_min_apply_delay|hot_standby_feedback)\s*=/.test(line));
  const settings = [
    `port = ${PORTS.replica}`,
    `recovery_min_apply_delay = '${applyDelay}'`,
    'hot_standby_feedback = on',
  ];
  await writeFile(autoConf, `${[...kept.filter(Boolean), ...settings].join('\n')}\n`);
}

async function startReplica(dir: string, applyDelay: string): Promise<void> {
  const dataDir = path.join(dir, 'replica');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await serverDirectory(dataDir);
    await run(
      path.join(await binDir(), 'pg_basebackup'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(PORTS.primary),
        '-U',
        'postgres',
        '-D',
        dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ],
      { asPostgres: true },
    );
    // pg_basebackup keeps the folder's mode; PostgreSQL insists on 0700.
    await chmod(dataDir, 0o700);
  }
  if (!(await isRunning(dataDir))) await configureReplica(dataDir, applyDelay);
  await startServer(dataDir, PORTS.replica);
  await waitFor('the replica to stream from the primary', () =>
    answers(PORTS.primary, "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming' HAVING count(*) > 0"),
  );
}

const poolerFiles = (dir: string, name: string) => ({
  ini: path.join(dir, `${name}.ini`),
  pid: path.join(dir, 'run', `${name}.pid`),
  log: path.join(dir, `${name}.log`),
});

async function startPooler(
  dir: string,
  name: 'primary-pooler' | 'replica-pooler',
  listen: number,
  target: number,
) {
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

async function stopPooler(dir: string, name: 'primary-pooler' | 'replica-pooler') {
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

export async function startPart(part: Part, options: TopologyOptions = {}): Promise<void> {
  const dir = folderOf(options);
  await serverDirectory(dir);
  await serverDirectory(path.join(dir, 'run'));
  if (part === 'primary') await startPrimary(dir);
  if (part === 'replica') await startReplica(dir, options.applyDelay ?? '0');
  if (part === 'primary-pooler') await startPooler(dir, part, PORTS.primaryPooler, PORTS.primary);
  if (part === 'replica-pooler') await startPooler(dir, part, PORTS.replicaPooler, PORTS.replica);
}

export async function stopPart(part: Part, options: TopologyOptions = {}): Promise<void> {
  const dir = folderOf(options);
  if (part === 'primary' || part === 'replica') await stopServer(path.join(dir, part));
  else await stopPooler(dir, part);
}

const ORDER: Part[] = ['primary', 'replica', 'primary-pooler', 'replica-pooler'];

/** The servers come from the machine's packages: say which are missing before starting anything. */
async function checkInstalled(): Promise<void> {
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const found = async (file: string) =>
    access(file, constants.X_OK).then(
      () => true,
      () => false,
    );
  const missing: string[] = [];
  for (const tool of ['pg_ctl', 'initdb', 'pg_basebackup']) {
    if (!(await found(path.join(await binDir().catch(() => ''), tool)))) missing.push(tool);
  }
  const pgbouncer = await Promise.all(pathDirs.map((dir) => found(path.join(dir, 'pgbouncer'))));
  if (!pgbouncer.includes(true)) missing.push('pgbouncer');
  if (missing.length > 0) {
    throw new Error(
      `The topology needs ${missing.join(', ')}: install them (Debian: apt-get install postgresql pgbouncer).`,
    );
  }
}

export async function startPostgresTopology(options: TopologyOptions = {}): Promise<void> {
  await checkInstalled();
  for (const part of ORDER) await startPart(part, options);
}

export async function stopPostgresTopology(options: TopologyOptions = {}): Promise<void> {
  for (const part of [...ORDER].reverse()) await stopPart(part, options);
}
