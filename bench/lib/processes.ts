/**
 * Processes under test: start one (the API, or the bare node:http ceiling),
 * wait until it answers, and sample its CPU and memory (with its node:cluster
 * workers) from /proc while a scenario runs. Linux only, as the bench is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ProcessUsage } from './report.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLOCK_TICKS_PER_SECOND = 100;

export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 60_000;

/** Starts `command` (node by default) with `args` and waits until `readyUrl` answers 2xx. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  command = process.execPath,
): Promise<Started> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    const ok = await fetch(readyUrl).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (attempt > 300 || child.exitCode !== null) {
      // A process left running would keep the bench (and the stack lock it holds) alive after its report.
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      // A server that ignores SIGTERM is a bug to see, not a bench that hangs.
      if (child.signalCode === 'SIGKILL') throw new Error(`${args.join(' ')} did not stop on SIGTERM`);
    },
  };
}

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may contain spaces): utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kib ? Number(kib) / 1024 : 0;
}

/** Samples `root` and its serving children (node:cluster workers, Uvicorn's worker processes) every 200 ms until the returned function is called. */
export async function sampleUsage(root: number): Promise<() => Promise<ProcessUsage>> {
  const nodeChildren = async () => {
    const pids = [];
    for (const pid of await childrenOf(root)) {
      const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (/server\.[jt]s|ceiling|multiprocessing/.test(command)) pids.push(pid);
    }
    return [root, ...pids];
  };
  const pids = await nodeChildren();
  const startTicks = await Promise.all(pids.map(cpuTicks));
  const started = performance.now();
  const peaks = new Map<number, number>();
  const sample = async () => {
    for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, await rssMiB(pid)));
  };
  await sample();
  const timer = setInterval(() => void sample(), 200);
  return async () => {
    clearInterval(timer);
    await sample();
    const endTicks = await Promise.all(pids.map(cpuTicks));
    const ticks = endTicks.reduce((sum, t, i) => sum + t - (startTicks[i] ?? 0), 0);
    const seconds = (performance.now() - started) / 1000;
    return {
      cpuPercent: (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds,
      // The primary of a cluster only supervises: the workers are what serve.
      peakRssMiB: pids.map((pid) => peaks.get(pid) ?? 0),
    };
  };
}
