/**
 * A newcomer's run, as the README tells it: `npm start` with no
 * configuration starts the embedded PostgreSQL and the development identity
 * provider; a token for bob from the printed token URL creates and lists a
 * task; a stop finishes cleanly and a restart keeps the data.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { onNewConnection, untilEveryWorkerMissed } from '../support/cluster-requests.ts';
import { linkedTaskIds } from '../support/mail-links.ts';
import { devTokenFor, freePort, start, stop, WORKER_SCRIPT, workerPidsOf } from '../support/npm-start.ts';

let dataDir: string;
let env: Record<string, string>;
let baseUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-embedded-'));
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach the data folder.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    EMBEDDED_DATABASE_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    WEB_CONCURRENCY: '2',
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Every worker process sees each write at once: the cache generation is shared
 * through the cluster primary. Each round both workers hold the task and the
 * listing in their caches before the write, so a worker that missed the new
 * generation would answer a hit with the old title.
 */
async function expectEachWriteSeenByEveryWorker(token: string, task: Task) {
  const auth = { authorization: `Bearer ${token}` };
  const taskUrl = `${baseUrl}/tasks/${task.id}`;
  const titleIn = (page: TaskPage) => page.items.find((item) => item.id === task.id)?.title;
  await untilEveryWorkerMissed(2, taskUrl, auth, () => {});
  await untilEveryWorkerMissed(2, `${baseUrl}/tasks`, auth, () => {});
  for (let round = 0; round < 10; round += 1) {
    const title = `round ${round}`;
    const patched = await onNewConnection(
      'PATCH',
      taskUrl,
      { ...auth, 'content-type': 'application/merge-patch+json' },
      JSON.stringify({ title }),
    );
    expect(patched.status).toBe(200);
    await untilEveryWorkerMissed(2, taskUrl, auth, (single) =>
      expect((single.json as Task).title).toBe(title),
    );
    await untilEveryWorkerMissed(2, `${baseUrl}/tasks`, auth, (page) =>
      expect(titleIn(page.json as TaskPage)).toBe(title),
    );
  }
}

/** Without a broker or SMTP server, the primary's in-process background work writes the owner's e-mail as a file. */
async function expectNotificationFile(task: Task) {
  const folder = path.join(dataDir, 'mail');
  for (let waited = 0; waited < 15_000; waited += 100) {
    const files = await readdir(folder).catch(() => []);
    // Task e-mails only (named by their event's Message-ID): a daily digest links tasks too.
    for (const file of files.filter((name) => name.endsWith('@tasks.events.eml'))) {
      const mail = await readFile(path.join(folder, file), 'utf8');
      if (linkedTaskIds(mail).includes(task.id)) {
        expect(mail).toMatch(/^To: bob@example\.test$/m);
        expect(mail).toMatch(/^Message-ID: <[0-9a-f-]{36}@tasks\.events>$/m);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no e-mail file for task ${task.id} under ${folder}`);
}

describe('npm start on a fresh machine', () => {
  it('serves the API with embedded PostgreSQL and the development provider, and keeps data across restarts', async () => {
    const first = await start(env);
    const tokenUrl = /Token endpoint\s+(\S+)/.exec(first.output())?.[1];
    expect(tokenUrl).toBe(`${baseUrl}/realms/tasks/protocol/openid-connect/token`);
    expect(first.output()).toContain(`${baseUrl}/docs`);
    expect(first.output()).toMatch(/DEVELOPMENT identity provider/);

    const token = await devTokenFor(tokenUrl as string, 'bob');
    const auth = { authorization: `Bearer ${token}` };
    const created = await fetch(`${baseUrl}/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Survive a restart' }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as Task;
    await expectNotificationFile(task);
    await expectEachWriteSeenByEveryWorker(token, task);
    expect(await stop(first)).toBe(0);

    const second = await start(env);
    try {
      const listed = await fetch(`${baseUrl}/tasks`, {
        headers: { authorization: `Bearer ${await devTokenFor(tokenUrl as string, 'bob')}` },
      });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as TaskPage).items.map((t) => t.id)).toContain(task.id);
      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 240_000);

  it('stops as a whole when its workers are signalled, and workers never outlive their primary', async () => {
    const first = await start(env);
    const workers = workerPidsOf(first.child.pid as number);
    expect(workers).toHaveLength(2);
    // The started process is the cluster primary itself, on compiled JavaScript: no npm or shell above the
    // server, no TypeScript compiler in any process; its children are the workers and PostgreSQL.
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(first.child.pid)], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(children.filter((args) => !args.includes(WORKER_SCRIPT) && !/postgres/.test(args))).toEqual([]);
    expect(children.join('\n')).not.toMatch(/tsx|esbuild/);
    // As `kill` or a service manager may do: the workers get SIGTERM (and the primary later, or never).
    for (const pid of workers) process.kill(pid, 'SIGTERM');
    expect(await first.exited).toBe(0);
    await expectGone(workers);

    const second = await start(env);
    const orphans = workerPidsOf(second.child.pid as number);
    second.child.kill('SIGKILL');
    await expectGone(orphans);
    stopEmbeddedPostgres(dataDir);
  }, 240_000);
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function expectGone(pids: number[]) {
  for (let waited = 0; waited < 15_000 && pids.some(isAlive); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(pids.filter(isAlive)).toEqual([]);
}

/** After a SIGKILLed primary its PostgreSQL is still running: stop it, as the next start would. */
function stopEmbeddedPostgres(folder: string) {
  const postmasters = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('postgres') && line.includes(folder) && line.includes('-D'));
  for (const line of postmasters) process.kill(Number.parseInt(line.trim(), 10), 'SIGINT');
}
