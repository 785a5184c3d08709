/**
 * Ownership: a user sees and changes only their own tasks; another user's
 * task looks exactly like one that does not exist (404, never 403), and a
 * refused change leaves it as it was. Admins and viewers see every task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import {
  createTask,
  createTasks,
  expectProblem,
  listAll,
  readAsAdmin,
  subOf,
  type Task,
} from '../support/task-helpers.ts';

const UNKNOWN_ID = '0190a6b2-7c1e-7000-8000-000000000000';

let api: RunningApi;
let bobsTasks: Task[];
let davesTasks: Task[];
let bobsTask: Task;
beforeAll(async () => {
  api = await startApi();
  bobsTasks = await createTasks(api, 'bob', 4, (i) => ({
    title: `bob secret ${i}`,
    description: 'bob only',
  }));
  davesTasks = await createTasks(api, 'dave', 3, (i) => ({ title: `dave ${i}` }));
  bobsTask = bobsTasks[0] as Task;
});
afterAll(() => api?.close());

const idsOf = (tasks: Task[]) => tasks.map((task) => task.id).sort();

describe("another user's task", () => {
  it("a user reading another user's task gets 404, the same answer as for an unknown id", async () => {
    const foreign = await expectProblem(await api.request('dave', 'GET', `/tasks/${bobsTask.id}`), 404);
    const unknown = await expectProblem(await api.request('dave', 'GET', `/tasks/${UNKNOWN_ID}`), 404);
    expect(foreign.code).toBe('TASK_NOT_FOUND');
    expect({ ...foreign, request_id: '', instance: '' }).toEqual({
      ...unknown,
      request_id: '',
      instance: '',
    });
  });

  it.each([
    ['PUT', { title: 'taken over', status: 'done' }],
    ['PATCH', { title: 'taken over' }],
    ['PATCH', { owner_id: subOf('dave') }],
    ['DELETE', undefined],
  ])("a user's %s of another user's task gets 404, and the task is unchanged", async (method, json) => {
    const response = await api.request('dave', method, `/tasks/${bobsTask.id}`, { json });
    await expectProblem(response, 404, 'TASK_NOT_FOUND');
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it("a user's conditional change of another user's task gets 404, not 412 or 200", async () => {
    for (const ifMatch of ['*', '"1"', '"99"']) {
      const response = await api.request('dave', 'PATCH', `/tasks/${bobsTask.id}`, {
        json: { status: 'done' },
        headers: { 'if-match': ifMatch },
      });
      await expectProblem(response, 404, 'TASK_NOT_FOUND');
    }
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it("a user's If-None-Match read of another user's task gets 404, not 304", async () => {
    const response = await api.request('dave', 'GET', `/tasks/${bobsTask.id}`, {
      headers: { 'if-none-match': '*' },
    });
    await expectProblem(response, 404, 'TASK_NOT_FOUND');
  });

  it('the owner still reads and changes their task after those refusals', async () => {
    const task = await createTask(api, 'bob', { title: 'still mine' });
    await api.request('dave', 'DELETE', `/tasks/${task.id}`);
    const response = await api.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { status: 'done' } });
    expect(response.status).toBe(200);
  });
});

describe('listing by role', () => {
  it('a user lists only their own tasks', async () => {
    const bobsListing = await listAll(api, 'bob');
    expect(bobsListing.every((task) => task.owner_id === subOf('bob'))).toBe(true);
    expect(bobsListing.map((task) => task.id)).toEqual(expect.arrayContaining(idsOf(bobsTasks)));
    expect(idsOf(await listAll(api, 'dave'))).toEqual(idsOf(davesTasks));
  });

  it("a user's text search never finds another user's task", async () => {
    expect(await listAll(api, 'dave', { q: 'bob secret' })).toEqual([]);
    expect(await listAll(api, 'dave', { q: 'bob only' })).toEqual([]);
  });

  it("a user's status filter stays within their own tasks", async () => {
    const listing = await listAll(api, 'dave', { status: 'todo,in_progress,done' });
    expect(idsOf(listing)).toEqual(idsOf(davesTasks));
  });

  it("a user listing with another user's owner_id gets 403", async () => {
    const response = await api.request('dave', 'GET', `/tasks?owner_id=${subOf('bob')}`);
    await expectProblem(response, 403, 'FORBIDDEN');
  });

  it('a user listing with their own owner_id gets their own tasks', async () => {
    expect(idsOf(await listAll(api, 'dave', { owner_id: subOf('dave') }))).toEqual(idsOf(davesTasks));
  });

  it.each(['alice', 'carol'] as const)(
    '%s (admin or viewer) lists every task of every owner',
    async (user) => {
      const everything = await listAll(api, user);
      const ids = everything.map((task) => task.id);
      expect(ids).toEqual(expect.arrayContaining(idsOf(bobsTasks.concat(davesTasks))));
      expect(new Set(everything.map((task) => task.owner_id))).toEqual(
        new Set([subOf('bob'), subOf('dave')]),
      );
    },
  );

  it.each(['alice', 'carol'] as const)("%s (admin or viewer) filters by any owner's id", async (user) => {
    expect(idsOf(await listAll(api, user, { owner_id: subOf('dave') }))).toEqual(idsOf(davesTasks));
  });

  it('an owner_id nobody has lists nothing for an admin', async () => {
    expect(await listAll(api, 'alice', { owner_id: 'nobody' })).toEqual([]);
  });
});
