/**
 * POST /tasks/bulk through real HTTP and PostgreSQL: one change to many
 * tasks, all or nothing; each task changed as a PATCH changes it (its
 * version, history entry and outbox event); a version conflict, another
 * user's task, a viewer, a request over the limits or a bad body changes
 * nothing and says which part is wrong; Idempotency-Key replays.
 */
import { describe, expect, it } from 'vitest';
import type { TaskHistoryPage } from '../../src/modules/history/history.schemas.ts';
import type { BulkChangeResult } from '../../src/modules/tasks/tasks.bulk.ts';
import { bodyOf, useApiWithDatabase } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import {
  createTask,
  createTasks,
  expectFieldError,
  expectProblem,
  listAll,
  readAsAdmin,
  subOf,
  type Task,
  taskRows,
} from '../support/task-helpers.ts';

const running = useApiWithDatabase();
const UNKNOWN_ID = '0190a6b2-7c1e-7000-8000-000000000000';

const bulk = (user: TestUser, json: unknown, headers: Record<string, string> = {}) =>
  running.api.request(user, 'POST', '/tasks/bulk', { json, headers });

async function changed(response: Response): Promise<Task[]> {
  const body = await bodyOf<BulkChangeResult>(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.tasks;
}

const itemsOf = (tasks: Task[]) => tasks.map((task) => ({ id: task.id }));

async function outboxOf(taskId: string) {
  const { rows } = await running.db.query<{ type: string; payload: Record<string, unknown> }>(
    `SELECT type, payload FROM outbox WHERE payload->>'task_id' = $1 ORDER BY id`,
    [taskId],
  );
  return rows;
}

async function historyOf(taskId: string) {
  const response = await running.api.request('alice', 'GET', `/tasks/${taskId}/history`);
  expect(response.status).toBe(200);
  return (await bodyOf<TaskHistoryPage>(response)).items;
}

/** What two events or history entries of the same change share: all but ids, times and the request. */
const sameChange = (entry: unknown) => {
  const { event_id, task_id, occurred_at, request_id, hash, prev_hash, ...rest } = entry as Record<
    string,
    unknown
  >;
  return rest;
};

describe('POST /tasks/bulk', () => {
  it('changes the status of every task named, answering them as stored, in the order asked', async () => {
    const tasks = await createTasks(running.api, 'bob', 3, (i) => ({ title: `bulk status ${i}` }));
    const asked = [tasks[2], tasks[0], tasks[1]] as Task[];
    const result = await changed(await bulk('bob', { tasks: itemsOf(asked), changes: { status: 'done' } }));
    expect(result.map((task) => task.id)).toEqual(asked.map((task) => task.id));
    for (const task of result) {
      expect(task).toMatchObject({ status: 'done', version: 2, completed_at: expect.any(String) });
      expect(await readAsAdmin(running.api, task.id)).toEqual(task);
    }
  });

  it('writes for each task the history entry and event a PATCH writes, with the request id', async () => {
    const [patched, bulked] = (await createTasks(running.api, 'bob', 2, () => ({
      title: 'twin',
      labels: ['ui'],
    }))) as [Task, Task];
    const change = { status: 'in_progress', priority: 'high' };
    const patch = await running.api.request('bob', 'PATCH', `/tasks/${patched.id}`, {
      json: { ...change, labels: ['backend', 'ui'] },
    });
    expect(patch.status).toBe(200);
    await changed(
      await bulk(
        'bob',
        { tasks: [{ id: bulked.id }], changes: { ...change, add_labels: ['backend'] } },
        { 'x-request-id': 'req-bulk-1' },
      ),
    );
    const [patchEvents, bulkEvents] = [await outboxOf(patched.id), await outboxOf(bulked.id)];
    expect(bulkEvents.map((event) => event.type)).toEqual(['task.created', 'task.updated']);
    expect(bulkEvents[1]?.payload).toMatchObject({ request_id: 'req-bulk-1', task_version: 2 });
    expect(sameChange(bulkEvents[1]?.payload)).toEqual(sameChange(patchEvents[1]?.payload));
    const [patchHistory, bulkHistory] = [await historyOf(patched.id), await historyOf(bulked.id)];
    expect(bulkHistory).toHaveLength(2);
    expect(bulkHistory[0]).toMatchObject({ type: 'task.updated', request_id: 'req-bulk-1' });
    expect(sameChange(bulkHistory[0])).toEqual(sameChange(patchHistory[0]));
  });

  it("adds and removes labels regardless of case, keeping each task's other labels and spelling", async () => {
    const [first, second] = (await Promise.all([
      createTask(running.api, 'bob', { title: 'labelled', labels: ['Bug', 'ui', 'Q3'] }),
      createTask(running.api, 'bob', { title: 'unlabelled' }),
    ])) as [Task, Task];
    const result = await changed(
      await bulk('bob', {
        tasks: itemsOf([first, second]),
        changes: { add_labels: [' bug ', 'Backend'], remove_labels: ['UI', 'absent'] },
      }),
    );
    expect(result.map((task) => task.labels)).toEqual([
      ['Backend', 'Bug', 'Q3'],
      ['Backend', 'bug'],
    ]);
  });

  it('a task the change leaves as it is keeps its version and gets no event', async () => {
    const done = await createTask(running.api, 'bob', { title: 'already done', status: 'done' });
    const [task] = await changed(
      await bulk('bob', { tasks: [{ id: done.id }], changes: { status: 'done' } }),
    );
    expect(task).toEqual(done);
    expect((await outboxOf(done.id)).map((event) => event.type)).toEqual(['task.created']);
  });

  it('listings show the change at once (the cache is made stale)', async () => {
    const task = await createTask(running.api, 'bob', { title: 'cached before the change' });
    expect((await listAll(running.api, 'bob', { status: 'done' })).map((t) => t.id)).not.toContain(task.id);
    await changed(await bulk('bob', { tasks: [{ id: task.id }], changes: { status: 'done' } }));
    expect((await listAll(running.api, 'bob', { status: 'done' })).map((t) => t.id)).toContain(task.id);
  });

  it("an admin changes anyone's tasks", async () => {
    const [bobs, daves] = [
      await createTask(running.api, 'bob', { title: "bob's" }),
      await createTask(running.api, 'dave', { title: "dave's" }),
    ];
    const result = await changed(
      await bulk('alice', { tasks: itemsOf([bobs, daves]), changes: { priority: 'urgent' } }),
    );
    expect(result.map((task) => [task.owner_id, task.priority])).toEqual([
      [subOf('bob'), 'urgent'],
      [subOf('dave'), 'urgent'],
    ]);
  });
});

describe('POST /tasks/bulk is all or nothing', () => {
  it('a version that is not the current one is 412 naming that task, and no task changes', async () => {
    const tasks = await createTasks(running.api, 'bob', 3, (i) => ({ title: `versioned ${i}` }));
    const [a, b, c] = tasks as [Task, Task, Task];
    const moved = await running.api.request('bob', 'PATCH', `/tasks/${b.id}`, {
      json: { title: 'moved on' },
    });
    expect(moved.status).toBe(200);
    const before = await taskRows(running.api);
    const response = await bulk('bob', {
      tasks: [
        { id: a.id, version: 1 },
        { id: b.id, version: 1 },
        { id: c.id, version: 1 },
      ],
      changes: { status: 'done' },
    });
    const problem = await expectProblem(response, 412, 'PRECONDITION_FAILED');
    expect(problem.detail).toBe(
      `The task at /tasks/1 (${b.id}) is at version 2, not 1: it changed since you read it. Nothing was changed; read it again.`,
    );
    expect(problem.errors).toEqual([
      { pointer: '/tasks/1/version', message: 'is 1; the task is at version 2' },
    ]);
    expect(await taskRows(running.api)).toEqual(before);
    expect((await outboxOf(a.id)).map((event) => event.type)).toEqual(['task.created']);
  });

  it('the current versions given: every task changes', async () => {
    const tasks = await createTasks(running.api, 'bob', 2, (i) => ({ title: `current ${i}` }));
    const items = tasks.map((task) => ({ id: task.id, version: task.version }));
    const result = await changed(await bulk('bob', { tasks: items, changes: { priority: 'low' } }));
    expect(result.map((task) => task.version)).toEqual([2, 2]);
  });

  it("a user naming another user's task (or no task) is 404 naming it, and no task changes", async () => {
    const bobs = await createTask(running.api, 'bob', { title: 'bob keeps this' });
    const daves = await createTask(running.api, 'dave', { title: 'dave keeps this' });
    for (const other of [daves.id, UNKNOWN_ID]) {
      const before = await taskRows(running.api);
      const response = await bulk('bob', {
        tasks: [{ id: bobs.id }, { id: other }],
        changes: { status: 'done' },
      });
      const problem = await expectProblem(response, 404, 'TASK_NOT_FOUND');
      expect(problem.detail).toBe(
        `The task at /tasks/1 (${other}): No task with this id is visible to you. Nothing was changed.`,
      );
      expect(problem.errors).toEqual([
        { pointer: '/tasks/1/id', message: 'No task with this id is visible to you.' },
      ]);
      expect(await taskRows(running.api)).toEqual(before);
    }
  });

  it('a viewer is 403 and changes nothing', async () => {
    const task = await createTask(running.api, 'bob', { title: 'only read by carol' });
    await expectProblem(
      await bulk('carol', { tasks: [{ id: task.id }], changes: { status: 'done' } }),
      403,
      'FORBIDDEN',
    );
    expect(await readAsAdmin(running.api, task.id)).toEqual(task);
  });

  it('a task that would have more than 20 labels is 422 naming it, and no task changes', async () => {
    const roomy = await createTask(running.api, 'bob', { title: 'roomy', labels: ['a'] });
    const full = await createTask(running.api, 'bob', {
      title: 'full',
      labels: Array.from({ length: 20 }, (_, i) => `label ${i}`),
    });
    const before = await taskRows(running.api);
    const problem = await expectFieldError(
      await bulk('bob', { tasks: itemsOf([roomy, full]), changes: { add_labels: ['one more'] } }),
      { pointer: '/tasks/1' },
    );
    expect(problem.detail).toBe(
      `The task at /tasks/1 (${full.id}) would have 21 labels: a task has at most 20. Nothing was changed.`,
    );
    expect(await taskRows(running.api)).toEqual(before);
  });
});

describe('POST /tasks/bulk limits and bad input', () => {
  it('100 tasks are changed in one request; 101 are 422', async () => {
    const tasks = await createTasks(running.api, 'bob', 101, (i) => ({ title: `hundred ${i}` }));
    await expectFieldError(await bulk('bob', { tasks: itemsOf(tasks), changes: { status: 'done' } }), {
      pointer: '/tasks',
    });
    const result = await changed(
      await bulk('bob', { tasks: itemsOf(tasks.slice(0, 100)), changes: { status: 'done' } }),
    );
    expect(result.filter((task) => task.status === 'done')).toHaveLength(100);
    expect((await readAsAdmin(running.api, tasks[100]?.id as string))?.status).toBe('todo');
  });

  it.each([
    ['no task', { tasks: [], changes: { status: 'done' } }, '/tasks'],
    ['no change', { tasks: [{ id: UNKNOWN_ID }], changes: {} }, '/changes'],
    [
      'a field bulk changes cannot make',
      { tasks: [{ id: UNKNOWN_ID }], changes: { title: 'x' } },
      '/changes/title',
    ],
    ['an id that is no UUID', { tasks: [{ id: 'not-a-uuid' }], changes: { status: 'done' } }, '/tasks/0/id'],
    [
      'a version of 0',
      { tasks: [{ id: UNKNOWN_ID, version: 0 }], changes: { status: 'done' } },
      '/tasks/0/version',
    ],
    [
      'an unknown status',
      { tasks: [{ id: UNKNOWN_ID }], changes: { status: 'finished' } },
      '/changes/status',
    ],
    [
      'a blank label',
      { tasks: [{ id: UNKNOWN_ID }], changes: { add_labels: ['  '] } },
      '/changes/add_labels/0',
    ],
    [
      'a label twice',
      { tasks: [{ id: UNKNOWN_ID }], changes: { remove_labels: ['Bug', 'bug'] } },
      '/changes/remove_labels/1',
    ],
    [
      'a label added and removed',
      { tasks: [{ id: UNKNOWN_ID }], changes: { add_labels: ['bug'], remove_labels: ['x', 'BUG '] } },
      '/changes/remove_labels/1',
    ],
    [
      'a task named twice',
      { tasks: [{ id: UNKNOWN_ID }, { id: UNKNOWN_ID.toUpperCase() }], changes: { status: 'done' } },
      '/tasks/1/id',
    ],
  ])('%s is 422 pointing at it, before any task is read', async (_what, body, pointer) => {
    await expectFieldError(await bulk('bob', body), { pointer });
  });

  it('a body that names no change says which changes there are', async () => {
    const problem = await expectFieldError(await bulk('bob', { tasks: [{ id: UNKNOWN_ID }], changes: {} }), {
      pointer: '/changes',
    });
    expect(problem.errors?.[0]?.message).toBe(
      'must name a change: status, priority, add_labels or remove_labels',
    );
  });
});

describe('POST /tasks/bulk with Idempotency-Key', () => {
  const keyed = (key: string) => ({ 'idempotency-key': key });

  it('a retry answers the first result again and changes nothing more', async () => {
    const task = await createTask(running.api, 'bob', { title: 'retried' });
    const body = { tasks: [{ id: task.id }], changes: { status: 'in_progress' } };
    const first = await bulk('bob', body, keyed('bulk-retry-1'));
    const firstTasks = await changed(first);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Changed meanwhile: a replay still answers what the first request did, and does not apply it again.
    await changed(await bulk('bob', { tasks: [{ id: task.id }], changes: { status: 'todo' } }));
    const replay = await bulk('bob', body, keyed('bulk-retry-1'));
    expect(await changed(replay)).toEqual(firstTasks);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await readAsAdmin(running.api, task.id))?.status).toBe('todo');
  });

  it('the same key with another body is 409; another caller has keys of their own', async () => {
    const task = await createTask(running.api, 'bob', { title: 'keyed' });
    await changed(
      await bulk('bob', { tasks: [{ id: task.id }], changes: { priority: 'low' } }, keyed('bulk-k2')),
    );
    const other = await bulk(
      'bob',
      { tasks: [{ id: task.id }], changes: { priority: 'high' } },
      keyed('bulk-k2'),
    );
    await expectProblem(other, 409, 'IDEMPOTENCY_KEY_REUSED');
    const alices = await bulk(
      'alice',
      { tasks: [{ id: task.id }], changes: { priority: 'high' } },
      keyed('bulk-k2'),
    );
    expect((await changed(alices))[0]?.priority).toBe('high');
  });

  it('concurrent requests under one key change the tasks once', async () => {
    const task = await createTask(running.api, 'bob', { title: 'raced' });
    const body = { tasks: [{ id: task.id }], changes: { add_labels: ['raced'] } };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => bulk('bob', body, keyed('bulk-race'))),
    );
    const answers = await Promise.all(responses.map(changed));
    expect(new Set(answers.map((tasks) => JSON.stringify(tasks))).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect((await readAsAdmin(running.api, task.id))?.version).toBe(2);
  });

  it('a refused request keeps no key: the corrected one may use it', async () => {
    const task = await createTask(running.api, 'bob', { title: 'corrected' });
    const stale = { tasks: [{ id: task.id, version: 7 }], changes: { status: 'done' } };
    await expectProblem(await bulk('bob', stale, keyed('bulk-fix')), 412, 'PRECONDITION_FAILED');
    const fixed = await bulk(
      'bob',
      { tasks: [{ id: task.id, version: 1 }], changes: { status: 'done' } },
      keyed('bulk-fix'),
    );
    expect((await changed(fixed))[0]?.status).toBe('done');
  });
});
