/**
 * The embedded start on a machine where it is not alone: the default port
 * taken by another start, a port that cannot be had, a private folder (as
 * root). It finds its way, or says in one line what is wrong, and exits 1.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDED_PORT } from '../../src/infra/db/embedded-port.ts';
import { freePort, holdPort, ROOT, spawnStart, start, stop } from '../support/npm-start.ts';

const folders: string[] = [];
const held: Server[] = [];

async function dataFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tasks-embedded-errors-'));
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach the data folder.
  await chmod(folder, 0o755);
  folders.push(folder);
  return path.join(folder, 'data');
}

async function envFor(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    WEB_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** The start's whole output; it must end by itself (an error start never serves). */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const started = spawnStart(env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 60_000);
  const code = await started.exited;
  clearTimeout(timer);
  return { code, output: started.output() };
}

afterEach(async () => {
  for (const server of held.splice(0)) await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('the embedded start among others', () => {
  it('takes the next free port when the default one is taken, and the tools find it there', async () => {
    // Taken by this test, or already by someone else: either way not free for the start.
    const holder = await holdPort(DEFAULT_EMBEDDED_PORT);
    if (holder) held.push(holder);
    const dataDir = await dataFolder();
    const env = await envFor(dataDir);
    const started = await start(env);
    try {
      const port = Number((await readFile(path.join(dataDir, 'postgres-port'), 'utf8')).trim());
      expect(port).toBeGreaterThan(DEFAULT_EMBEDDED_PORT);
      // `npm run seed` finds the running server's database through DATA_DIR, not by starting another.
      const seeded = execFileSync(process.execPath, ['scripts/run.mjs', 'seed', '--count', '10'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
        encoding: 'utf8',
      });
      expect(seeded).toContain(`the running embedded PostgreSQL (port ${port})`);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  }, 180_000);

  it("says in one line, with PostgreSQL's own reason, why it cannot start on a port that is taken", async () => {
    const port = await freePort();
    const holder = await holdPort(port);
    if (!holder) throw new Error(`port ${port} was taken between two calls`);
    held.push(holder);
    const { code, output } = await runToExit(
      await envFor(await dataFolder(), { EMBEDDED_DATABASE_PORT: String(port) }),
    );
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^npm start failed: the embedded PostgreSQL .* did not start: .*Address already in use/,
    );
    expect(output).not.toMatch(/TypeError|\n\s+at /);
  }, 120_000);

  it('as root, stops with what to do when its data is inside a folder the postgres user cannot enter', async () => {
    const privateFolder = await mkdtemp(path.join(tmpdir(), 'tasks-private-'));
    folders.push(privateFolder);
    await chmod(privateFolder, 0o700);
    const dataDir = path.join(privateFolder, 'data');
    if (userInfo().uid !== 0) {
      // Not root: PostgreSQL runs as the owner of the folder, and the start works.
      const started = await start(await envFor(dataDir));
      expect(await stop(started)).toBe(0);
      return;
    }
    const { code, output } = await runToExit(await envFor(dataDir));
    expect(code).toBe(1);
    expect(output.trim().split('\n').at(-1)).toBe(
      `npm start failed: As root, the embedded PostgreSQL runs as the "postgres" user, who cannot enter ${privateFolder} (mode 700), ` +
        `so it cannot reach its data in ${dataDir}/postgres. Let it through (chmod o+x ${privateFolder}), ` +
        'or set DATA_DIR to a folder outside it, or set DATABASE_URL to a PostgreSQL of your own.',
    );
    // And the advice works.
    await chmod(privateFolder, 0o701);
    await mkdir(dataDir, { recursive: true });
    const started = await start(await envFor(dataDir));
    expect(await stop(started)).toBe(0);
  }, 180_000);
});
