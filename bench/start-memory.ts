/**
 * `npm run bench:start-memory [-- command args...]`: the memory of
 * a whole embedded start (default: `node .`, the README's start), every
 * process counted: the command itself, the API's cluster primary and
 * workers, PostgreSQL's processes, any helper. Starts it with a fresh
 * DATA_DIR and two workers, waits for the banner and a few quiet seconds,
 * then prints each process's RSS and PSS (RSS shares PostgreSQL's shared
 * buffers and the libraries between processes; PSS splits them, so its sum
 * is what the start really costs). Linux only.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../test/support/private-redis.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SETTLE_MS = 5_000;

async function descendantsOf(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
    .split(' ')
    .filter(Boolean)
    .map(Number);
  const below = await Promise.all(children.map(descendantsOf));
  return [...children, ...below.flat()];
}

async function usageOf(pid: number) {
  const kib = async (file: string, field: string) => {
    const text = await readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  };
  const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
    .replaceAll('\0', ' ')
    .trim();
  return {
    pid,
    command,
    rss: (await kib('status', 'VmRSS')) / 1024,
    pss: (await kib('smaps_rollup', 'Pss')) / 1024,
  };
}

const command = process.argv.slice(2);
const [program, ...args] = command.length > 0 ? command : [process.execPath, '.'];
const dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-start-memory-'));
await chmod(dataDir, 0o755);
const port = await freePort();
const child = spawn(program as string, args, {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    EMBEDDED_DATABASE_PORT: String(await freePort()),
    WEB_CONCURRENCY: '2',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout?.on('data', (chunk) => {
  output += chunk;
});
const exited = new Promise((resolve) => child.once('exit', resolve));
try {
  for (let waited = 0; !output.includes('Token endpoint'); waited += 100) {
    if (waited > 300_000 || child.exitCode !== null || child.signalCode !== null)
      throw new Error(`no banner:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const usages = await Promise.all(
    [child.pid as number, ...(await descendantsOf(child.pid as number))].map(usageOf),
  );
  const mib = (value: number) => value.toFixed(0).padStart(6);
  process.stdout.write(
    `Start: ${[program, ...args].join(' ')} (WEB_CONCURRENCY=2)\n\n   RSS    PSS  process\n`,
  );
  for (const usage of usages)
    process.stdout.write(`${mib(usage.rss)} ${mib(usage.pss)}  ${usage.command.slice(0, 90)}\n`);
  const sum = (key: 'rss' | 'pss') => usages.reduce((total, usage) => total + usage[key], 0);
  process.stdout.write(`${mib(sum('rss'))} ${mib(sum('pss'))}  total of ${usages.length} processes (MiB)\n`);
} finally {
  child.kill('SIGTERM');
  await exited;
  await rm(dataDir, { recursive: true, force: true });
}
