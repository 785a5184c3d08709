/**
 * `npm start` as a newcomer runs it, in a child process with a clean
 * environment: what it prints, when it is ready, how it ends.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './private-redis.ts';

export { freePort };

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The README's start: `node .` (package.json's main, scripts/run.mjs), which `npm start` runs too. */
export const START_COMMAND = ['.'];
/** What node:cluster runs in each worker process. */
export const WORKER_SCRIPT = 'dist/server.js';

/** The worker processes (node:cluster children running the server) of a primary. */
export function workerPidsOf(primary: number): number[] {
  return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primary)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(WORKER_SCRIPT))
    .map((line) => Number.parseInt(line.trim(), 10));
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Holds 127.0.0.1:port (already held by someone else is as good: undefined then). */
export async function holdPort(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Starts `node .` with only PATH, HOME and `env`. `processGroup`: in a group
 * of its own, so that one signal to the group reaches the embedded PostgreSQL too.
 */
export function spawnStart(env: Record<string, string>, { processGroup = false } = {}): Started {
  const child = spawn(process.execPath, START_COMMAND, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: processGroup,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

/** Resolves once the output matches `ready` (the banner by default); rejects if the process ends first. */
export async function untilPrinted(started: Started, ready: RegExp = /Token endpoint/, ms = 90_000) {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not printed within ${ms} ms:\n${started.output()}`)),
      ms,
    );
    const check = setInterval(() => {
      if (ready.test(started.output())) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    void started.exited.then((code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${started.output()}`));
    });
  });
}

/** Runs `npm start` and resolves once the banner names the token endpoint. */
export async function start(env: Record<string, string>): Promise<Started> {
  const started = spawnStart(env);
  await untilPrinted(started);
  return started;
}

export async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

/** A fresh DATA_DIR (listed in `folders`, for the caller to remove) and a start's environment on free ports. */
export async function freshStart(
  folders: string[],
  extra: Record<string, string>,
): Promise<{ env: Record<string, string>; baseUrl: string; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-start-'));
  folders.push(dataDir);
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach the data folder.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    DATA_DIR: dataDir,
    EMBEDDED_DATABASE_PORT: String(await freePort()),
    ...extra,
  };
  return { env, baseUrl, dataDir };
}

/** An access token from the development identity provider at `tokenUrl` (tasks-cli's password grant). */
export async function devTokenFor(tokenUrl: string, username: string): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'tasks-cli',
      username,
      password: username,
    }),
  });
  if (response.status !== 200)
    throw new Error(`token for ${username}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
