/**
 * Per-client consistency on the real topology: PgBouncer (transaction mode)
 * in front of a primary and of a streaming replica that applies WAL 3
 * seconds late, Redis as the shared cache and client positions, two API
 * instances. A write on one instance followed at once by its writer's reads
 * on the other returns the write, for every kind of write; the next read,
 * from the cache, is the new state too. Everybody else keeps reading from
 * the replica while writes arrive, and sees the write once it is applied;
 * a replica past REPLICA_MAX_LAG_SECONDS serves them no longer.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { eventually } from '../support/test-database.ts';
import { createTopologyDatabase, type TopologyDatabase } from '../support/topology.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Users who write (a viewer cannot): each must see their own writes at once, on any instance. */
const WRITERS: TestUser[] = ['bob', 'alice'];

let database: TopologyDatabase;
let writer: RunningApi;
let reader: RunningApi;
const REDIS_KEY_PREFIX = `test-${randomBytes(6).toString('hex')}:`;

/** Every instance on the topology, sharing one Redis (cache, generations, client positions). */
const apiEnv = () => ({
  DATABASE_URL: database.primaryPoolerUrl,
  DATABASE_REPLICA_URL: database.replicaPoolerUrl,
  REDIS_URL,
  REDIS_KEY_PREFIX,
});

async function replicaReads(api: RunningApi, reason = '[^"]*'): Promise<number> {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  const series = new RegExp(`^tasks_db_reads_total\\{target="replica",reason="${reason}"\\} (\\d+)`, 'gm');
  return [...text.matchAll(series)].reduce((sum, match) => sum + Number(match[1]), 0);
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
  writer = await startApi(apiEnv(), { database });
  reader = await startApi(apiEnv(), { database, oidc: writer.oidc });
  await expectReplicaBehind();
});

/**
 * With a replica that is not behind, every test below would pass without read-your-writes:
 * a task just created must not be on the replica yet.
 */
async function expectReplicaBehind(): Promise<void> {
  const task = await bodyOf<Task>(
    await writer.request('bob', 'POST', '/tasks', { json: { title: 'lag check' } }),
  );
  if (await onReplica(task.id))
    throw new Error(
      'The replica is not behind (it already has a task created a moment ago): these tests need its apply delay (npm run stack -- --apply-delay 3s)',
    );
}

/** Whether the replica itself (not through the API) has the task yet. */
async function onReplica(taskId: string): Promise<boolean> {
  const replica = new pg.Client({ connectionString: database.replicaUrl });
  await replica.connect();
  try {
    const { rows } = await replica.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tasks WHERE id = $1',
      [taskId],
    );
    return rows[0]?.n === 1;
  } finally {
    await replica.end();
  }
}

afterAll(async () => {
  await reader?.close();
  await writer?.close();
  await database?.drop();
});

describe('with a replica 3 seconds behind (checked before the tests)', () => {
  it('a caught-up replica serves reads', async () => {
    const warmUp = await bodyOf<Task>(
      await writer.request('bob', 'POST', '/tasks', { json: { title: 'warm-up' } }),
    );
    // 3 s of apply delay, or more while the rest of CI loads the cluster: wait for the replica
    // itself, then for the API's replica polls (every 200 ms) to have seen it.
    await eventually(() => onReplica(warmUp.id), 'the replica applies the warm-up write', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = await replicaReads(reader);
    await listing(reader, 'dave');
    expect(await replicaReads(reader)).toBeGreaterThan(before);
  });

  it.each(WRITERS)(
    'a task %s created is in their next listing and read on the other instance',
    async (writer_) => {
      for (let round = 0; round < 3; round += 1) {
        await listing(reader, writer_);
        const created = await bodyOf<Task>(
          await writer.request(writer_, 'POST', '/tasks', { json: { title: `created ${writer_} ${round}` } }),
        );
        const fresh = await listing(reader, writer_);
        expect(fresh.page.items.map((task) => task.id)).toContain(created.id);
        expect((await readTask(reader, writer_, created.id)).task).toEqual(created);
        const cached = await listing(reader, writer_);
        expect(cached.cache).toBe('hit');
        expect(cached.page).toEqual(fresh.page);
      }
    },
  );

  it.each(WRITERS)('a task %s replaced, then patched, is seen by them at once', async (writer_) => {
    const task = await bodyOf<Task>(
      await writer.request(writer_, 'POST', '/tasks', { json: { title: 'original' } }),
    );
    await readTask(reader, writer_, task.id);
    await listing(reader, writer_);

    const replaced = await bodyOf<Task>(
      await writer.request(writer_, 'PUT', `/tasks/${task.id}`, {
        json: { title: 'replaced', status: 'done' },
      }),
    );
    expect((await readTask(reader, writer_, task.id)).task).toEqual(replaced);
    expect((await listing(reader, writer_)).page.items.find((item) => item.id === task.id)).toEqual(replaced);

    const patched = await bodyOf<Task>(
      await writer.request(writer_, 'PATCH', `/tasks/${task.id}`, { json: { description: 'patched' } }),
    );
    expect((await readTask(reader, writer_, task.id)).task).toEqual(patched);
    expect((await listing(reader, writer_)).page.items.find((item) => item.id === task.id)).toEqual(patched);
    const cached = await listing(reader, writer_);
    expect(cached.cache).toBe('hit');
    expect(cached.page.items.find((item) => item.id === task.id)).toEqual(patched);
  });

  it.each(WRITERS)('a task %s deleted is gone for them at once', async (writer_) => {
    const task = await bodyOf<Task>(
      await writer.request(writer_, 'POST', '/tasks', { json: { title: 'doomed' } }),
    );
    await readTask(reader, writer_, task.id);
    await listing(reader, writer_);
    expect((await writer.request(writer_, 'DELETE', `/tasks/${task.id}`)).status).toBe(204);
    expect((await readTask(reader, writer_, task.id)).status).toBe(404);
    expect((await listing(reader, writer_)).page.items.map((item) => item.id)).not.toContain(task.id);
    expect((await listing(reader, writer_)).page.items.map((item) => item.id)).not.toContain(task.id);
  });

  it('an admin who changed bob’s task sees the change at once, and so does bob once he has seen it', async () => {
    const task = await bodyOf<Task>(
      await writer.request('bob', 'POST', '/tasks', { json: { title: 'shared' } }),
    );
    const patched = await bodyOf<Task>(
      await writer.request('alice', 'PATCH', `/tasks/${task.id}`, { json: { description: 'by alice' } }),
    );
    expect((await readTask(reader, 'alice', task.id)).task).toEqual(patched);
    // bob wrote the task before alice's change: his reads show at least his own write, and once
    // he has been shown her change (his position is then hers), never the version before it.
    const seen = (await readTask(reader, 'bob', task.id)).task;
    expect(seen?.version).toBeGreaterThanOrEqual(task.version);
    if (seen?.version === patched.version)
      for (let i = 0; i < 5; i += 1) expect((await readTask(reader, 'bob', task.id)).task).toEqual(patched);
  });
});

/**
 * Runs `check` while bob keeps writing (4 a second, for `warmUpMs` first): the newest
 * generation is then never on the replica; returns the task he creates for it.
 */
async function whileBobWrites(warmUpMs: number, check: (created: Task) => Promise<void>) {
  const writes = setInterval(
    () => void writer.request('bob', 'POST', '/tasks', { json: { title: 'background write' } }),
    250,
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    await check(
      await bodyOf<Task>(await writer.request('bob', 'POST', '/tasks', { json: { title: 'for carol' } })),
    );
  } finally {
    clearInterval(writes);
  }
}

describe('others’ reads with a replica 3 seconds behind', () => {
  it('a viewer who wrote nothing reads from the replica while bob writes, and sees his task once it is applied', async () => {
    const before = await replicaReads(reader, 'replica_view');
    await whileBobWrites(3_500, async (created) => {
      const right = await readTask(reader, 'carol', created.id);
      expect(right.status, 'served by a replica 3 s behind: not there yet').toBe(404);
      expect(await replicaReads(reader, 'replica_view')).toBeGreaterThan(before);
      // Within the apply delay (3 s) and a few replica polls, it is there, and stays.
      let shown = false;
      for (let waited = 0; !shown && waited < 10_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        shown = (await readTask(reader, 'carol', created.id)).status === 200;
      }
      expect(shown).toBe(true);
      for (let i = 0; i < 5; i += 1) expect((await readTask(reader, 'carol', created.id)).status).toBe(200);
    });
  });

  it('past REPLICA_MAX_LAG_SECONDS the replica serves nobody who needs newer data: the viewer reads the primary', async () => {
    const strict = await startApi(
      { ...apiEnv(), REPLICA_MAX_LAG_SECONDS: '1' },
      { database, oidc: writer.oidc },
    );
    try {
      await whileBobWrites(2_500, async (created) => {
        expect((await readTask(strict, 'carol', created.id)).status).toBe(200);
        expect(await replicaReads(strict, 'replica_view')).toBe(0);
      });
    } finally {
      await strict.close();
    }
  });
});
