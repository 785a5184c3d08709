/**
 * The app started the way a person starts it (test/support/npm-start.ts:
 * `node .`, what `npm start` runs, with a clean environment), with its own
 * port, a fresh data folder (embedded PostgreSQL) and the built-in
 * development identity provider. Stopped with its whole process group.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Started, spawnStart } from '../../../test/support/npm-start.ts';

const READY_TIMEOUT_MS = 180_000;

export interface AppServer {
  url: string;
  dataDir: string;
  /** Stops the server's processes (the API goes away; its data folder stays). */
  stop(): Promise<void>;
  /** Starts it again as before, on the same data, and waits until it is ready. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** What the server printed since it last started: to explain a failure. */
  output(): string;
}

async function waitUntilReady(url: string, started: Started): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { exitCode } = started.child;
    if (exitCode !== null) throw new Error(`npm start exited (${exitCode}):\n${started.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm start did not become ready at ${url} in ${READY_TIMEOUT_MS} ms:\n${started.output()}`);
}

export interface AppServerOptions {
  port: number;
  databasePort: number;
  env?: Record<string, string>;
  /** A data folder to use and keep (the benchmark's seeded one); default: a fresh one, removed at close. */
  dataDir?: string;
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  // A folder that does not exist yet, as on a fresh clone (./data): the server creates it.
  const parent = options.dataDir ? undefined : await mkdtemp(path.join(tmpdir(), 'tasks-web-'));
  if (parent) await chmod(parent, 0o755);
  const dataDir = options.dataDir ?? path.join(parent as string, 'data');
  const removeData = async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  };
  const url = `http://localhost:${options.port}`;
  const env = {
    PORT: String(options.port),
    DATA_DIR: dataDir,
    EMBEDDED_DATABASE_PORT: String(options.databasePort),
    WEB_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let started: Started | undefined;
  const stop = async () => {
    const child = started?.child;
    if (!started || !child || child.exitCode !== null || child.pid === undefined) return;
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([started.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  const start = async () => {
    started = spawnStart(env, { processGroup: true });
    try {
      await waitUntilReady(url, started);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  try {
    await start();
  } catch (error) {
    await removeData();
    throw error;
  }
  return {
    url,
    dataDir,
    stop,
    start,
    output: () => started?.output() ?? '',
    async close() {
      await stop();
      await removeData();
    },
  };
}
