/**
 * The stack's long-running processes other than PostgreSQL and RabbitMQ:
 * each started detached (it outlives `npm run stack`) with its output in
 * `<dir>/logs/<name>.out`, its pid in `<dir>/run/<name>.pid`, and a readiness
 * check; starting one that is already running does nothing, so re-running
 * the stack is safe.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep, waitFor } from './processes.ts';

export interface Service {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Resolves true once the service answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

const pidFile = (dir: string, name: string) => path.join(dir, 'run', `${name}.pid`);

export function runningPid(dir: string, name: string): number | undefined {
  const file = pidFile(dir, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function startService(dir: string, service: Service): Promise<void> {
  if (runningPid(dir, service.name) !== undefined && (await service.ready().catch(() => false))) return;
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  mkdirSync(path.join(dir, 'run'), { recursive: true });
  const output = openSync(path.join(dir, 'logs', `${service.name}.out`), 'a');
  const child = spawn(service.command, service.args, {
    env: { ...process.env, ...service.env },
    detached: true,
    stdio: ['ignore', output, output],
  });
  child.unref();
  writeFileSync(pidFile(dir, service.name), String(child.pid));
  await waitFor(
    `${service.name} (see ${path.join(dir, 'logs', `${service.name}.out`)})`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${service.name} exited with ${child.exitCode}`);
      return service.ready();
    },
    service.readyTimeoutMs ?? 60_000,
  );
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopService(dir: string, name: string, graceMs = 15_000): Promise<void> {
  const pid = runningPid(dir, name);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (runningPid(dir, name) !== undefined && Date.now() < deadline) await sleep(100);
    if (runningPid(dir, name) !== undefined) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile(dir, name), { force: true });
}

/** True when `url` answers with a 2xx. */
export async function answersHttp(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
