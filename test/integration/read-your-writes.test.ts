/**
 * Read-your-writes on the real topology: PgBouncer (transaction mode) in
 * front of a primary and of a streaming replica that applies WAL 3 seconds
 * late, Redis as the shared cache, two API instances. A write on one
 * instance followed at once by reads on the other returns the write, for
 * every kind of write and every role's view; the next read, from the cache,
 * is the new state too.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task, TaskPage } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { createTopologyDatabase, type TopologyDatabase } from '../support/topology.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const VIEWS: TestUser[] = ['bob', 'alice', 'carol'];

let database: TopologyDatabase;
let writer: RunningApi;
let reader: RunningApi;

async function replicaReads(api: RunningApi): Promise<number> {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  return [...text.matchAll(/^tasks_db_reads_total\{target="replica"[^}]*\} (\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

async function listing(api: RunningApi, user: TestUser) {
  const response = await api.request(user, 'GET', '/tasks?limit=100');
  expect(response.status).toBe(200);
  return { cache: response.headers.get('x-cache'), page: await bodyOf<TaskPage>(response) };
}

async function readTask(api: RunningApi, user: TestUser, id: string) {
  const response = await api.request(user, 'GET', `/tasks/${id}`);
  return {
    status: response.status,
    task: response.status === 200 ? await bodyOf<Task>(response) : undefined,
  };
}

beforeAll(async () => {
  database = await createTopologyDatabase();
  const env = {
    DATABASE_URL: database.primaryPoolerUrl,
    DATABASE_REPLICA_URL: database.replicaPoolerUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
  };
  writer = await startApi(env, { database });
  reader = await startApi(env, { database, oidc: writer.oidc });
});

afterAll(async () => {
  await reader?.close();
  await writer?.close();
  await database?.drop();
});

describe('with a replica 3 seconds behind', () => {
  it('a caught-up replica serves reads', async () => {
    await writer.request('bob', 'POST', '/tasks', { json: { title: 'warm-up' } });
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const before = await replicaReads(reader);
    await listing(reader, 'dave');
    expect(await replicaReads(reader)).toBeGreaterThan(before);
  });

  it.each(VIEWS)(
    'a created task is in the next listing and read of %s on the other instance',
    async (viewer) => {
      for (let round = 0; round < 3; round += 1) {
        await listing(reader, viewer);
        const created = await bodyOf<Task>(
          await writer.request('bob', 'POST', '/tasks', { json: { title: `created ${viewer} ${round}` } }),
        );
        const fresh = await listing(reader, viewer);
        expect(fresh.page.items.map((task) => task.id)).toContain(created.id);
        expect((await readTask(reader, viewer, created.id)).task).toEqual(created);
        const cached = await listing(reader, viewer);
        expect(cached.cache).toBe('hit');
        expect(cached.page).toEqual(fresh.page);
      }
    },
  );

  it.each(VIEWS)('a replaced, then patched task is seen by %s at once', async (viewer) => {
    const task = await bodyOf<Task>(
      await writer.request('bob', 'POST', '/tasks', { json: { title: 'original' } }),
    );
    await readTask(reader, viewer, task.id);
    await listing(reader, viewer);

    const replaced = await bodyOf<Task>(
      await writer.request('bob', 'PUT', `/tasks/${task.id}`, {
        json: { title: 'replaced', status: 'done' },
      }),
    );
    expect((await readTask(reader, viewer, task.id)).task).toEqual(replaced);
    expect((await listing(reader, viewer)).page.items.find((item) => item.id === task.id)).toEqual(replaced);

    const patched = await bodyOf<Task>(
      await writer.request('alice', 'PATCH', `/tasks/${task.id}`, { json: { description: 'patched' } }),
    );
    expect((await readTask(reader, viewer, task.id)).task).toEqual(patched);
    expect((await listing(reader, viewer)).page.items.find((item) => item.id === task.id)).toEqual(patched);
    const cached = await listing(reader, viewer);
    expect(cached.cache).toBe('hit');
    expect(cached.page.items.find((item) => item.id === task.id)).toEqual(patched);
  });

  it.each(VIEWS)('a deleted task is gone for %s at once', async (viewer) => {
    const task = await bodyOf<Task>(
      await writer.request('bob', 'POST', '/tasks', { json: { title: 'doomed' } }),
    );
    await readTask(reader, viewer, task.id);
    await listing(reader, viewer);
    expect((await writer.request('bob', 'DELETE', `/tasks/${task.id}`)).status).toBe(204);
    expect((await readTask(reader, viewer, task.id)).status).toBe(404);
    expect((await listing(reader, viewer)).page.items.map((item) => item.id)).not.toContain(task.id);
    expect((await listing(reader, viewer)).page.items.map((item) => item.id)).not.toContain(task.id);
  });
});
