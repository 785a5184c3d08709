/**
 * The production read topology on one machine, from Debian's binaries: a
 * PostgreSQL primary, a streaming replica made with `pg_basebackup -R`
 * (optionally applying WAL after a delay, to make lag visible), and a
 * PgBouncer in transaction mode in front of each. Idempotent: parts already
 * running are kept; `stop` stops them all. Used by CI and the tests.
 */
import { constants, existsSync } from 'node:fs';
import { access, appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startPooler, stopPooler } from './pgbouncer.ts';
import { answers, binDir, isRunning, startServer, stopServer } from './postgres-server.ts';
import { run, serverDirectory, waitFor } from './processes.ts';

export const PORTS = { primary: 5441, replica: 5442, primaryPooler: 6441, replicaPooler: 6442 } as const;
export type Part = 'primary' | 'replica' | 'primary-pooler' | 'replica-pooler';
const REPLICA_SLOT = 'stack_replica';

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
        // The replica's slot keeps WAL it has not received; bounded, so a replica gone for
        // days costs at most this much disk (then it needs a new base backup).
        'max_slot_wal_keep_size = 1GB',
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
        // A physical slot: the primary keeps the WAL the replica still needs (retention is alerted on).
        '-C',
        '-S',
        REPLICA_SLOT,
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
