/**
 * The planning fields through real HTTP (issue 15): `due_at`, `priority`,
 * `labels` written by POST, PUT and PATCH with the same 422 rules as the
 * other fields, and `completed_at`, which only the server sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  createTask,
  expectFieldError,
  expectProblem,
  readAsAdmin,
  type Task,
  taskRows,
} from '../support/task-helpers.ts';

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const post = (json: unknown) => api.request('bob', 'POST', '/tasks', { json });
const put = (id: string, json: unknown) => api.request('bob', 'PUT', `/tasks/${id}`, { json });
const patch = (id: string, json: unknown) =>
  api.request('bob', 'PATCH', `/tasks/${id}`, { json, headers: MERGE_PATCH });
const patched = async (id: string, json: unknown) => {
  const response = await patch(id, json);
  const body = await bodyOf<Task>(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
};

describe('defaults and values', () => {
  it('a task created without them has no due date, priority none, no labels, not completed', async () => {
    const task = await createTask(api, 'bob', { title: 'plain' });
    expect(task).toMatchObject({ due_at: null, priority: 'none', labels: [], completed_at: null });
  });

  it('stores due_at in UTC to the millisecond, the priority, and the labels trimmed in case-insensitive order', async () => {
    const task = await createTask(api, 'bob', {
      title: 'planned',
      due_at: '2027-03-01T09:30:00.1234+02:00',
      priority: 'high',
      labels: ['  infra ', 'Backend', 'api'],
    });
    expect(task).toMatchObject({
      due_at: '2027-03-01T07:30:00.123Z',
      priority: 'high',
      labels: ['api', 'Backend', 'infra'],
    });
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it('a leap second is the last millisecond before the next second', async () => {
    const task = await createTask(api, 'bob', { title: 'leap', due_at: '2016-12-31T23:59:60Z' });
    expect(task.due_at).toBe('2016-12-31T23:59:59.999Z');
  });

  it('every priority is accepted', async () => {
    for (const priority of ['none', 'low', 'medium', 'high', 'urgent']) {
      expect((await createTask(api, 'bob', { title: priority, priority })).priority).toBe(priority);
    }
  });

  it('twenty labels of fifty characters are accepted', async () => {
    const labels = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(48)}`);
    expect((await createTask(api, 'bob', { title: 'many labels', labels })).labels).toEqual(labels);
  });
});

describe('completed_at follows the status', () => {
  it('is set when a task is created done', async () => {
    const task = await createTask(api, 'bob', { title: 'done already', status: 'done' });
    expect(task.completed_at).toBe(task.created_at);
  });

  it('is set when the status becomes done, kept while it stays done, cleared when it leaves', async () => {
    const task = await createTask(api, 'bob', { title: 'to finish' });
    const done = await patched(task.id, { status: 'done' });
    expect(done.completed_at).toBe(done.updated_at);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = await patched(task.id, { title: 'finished', priority: 'low' });
    expect(renamed.completed_at).toBe(done.completed_at);
    expect(renamed.updated_at > done.updated_at).toBe(true);
    const reopened = await patched(task.id, { status: 'in_progress' });
    expect(reopened.completed_at).toBeNull();
  });

  it('is not writable: a body naming it is 422 and changes nothing', async () => {
    const task = await createTask(api, 'bob', { title: 'x' });
    await expectFieldError(await patch(task.id, { completed_at: '2020-01-01T00:00:00Z' }), {
      pointer: '/completed_at',
    });
    await expectFieldError(await post({ title: 'x', completed_at: null }), { pointer: '/completed_at' });
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });
});

describe('PUT and PATCH', () => {
  it('PUT without them returns each to its default', async () => {
    const task = await createTask(api, 'bob', {
      title: 't',
      due_at: '2027-01-01T00:00:00Z',
      priority: 'urgent',
      labels: ['a'],
    });
    const response = await put(task.id, { title: 't' });
    expect(response.status).toBe(200);
    expect(await bodyOf<Task>(response)).toMatchObject({
      due_at: null,
      priority: 'none',
      labels: [],
      version: 2,
    });
  });

  it('PATCH changes only what it names; due_at null removes the due date; labels replace the set', async () => {
    const task = await createTask(api, 'bob', {
      title: 't',
      due_at: '2027-01-01T00:00:00Z',
      priority: 'medium',
      labels: ['a', 'b'],
    });
    expect(await patched(task.id, { labels: ['c'] })).toMatchObject({
      due_at: '2027-01-01T00:00:00.000Z',
      priority: 'medium',
      labels: ['c'],
      version: 2,
    });
    expect(await patched(task.id, { due_at: null })).toMatchObject({
      due_at: null,
      labels: ['c'],
      version: 3,
    });
  });

  it('a PATCH that sets the same values (labels in another order or case of spacing) writes nothing', async () => {
    const task = await createTask(api, 'bob', { title: 't', labels: ['b', 'a'], priority: 'low' });
    expect(await patched(task.id, { labels: [' a', 'b '], priority: 'low' })).toEqual(task);
  });

  it('the same Idempotency-Key with other planning fields is 409', async () => {
    const headers = { 'idempotency-key': 'planning-key-1' };
    const first = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'k', labels: ['a'] },
      headers,
    });
    expect(first.status).toBe(201);
    const replay = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'k', labels: [' a'] },
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'k', labels: ['b'] },
      headers,
    });
    await expectProblem(other, 409, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('422 for bad values, on every write, storing nothing', () => {
  const LONG = 'x'.repeat(51);
  const cases: [string, Record<string, unknown>, string][] = [
    ['due_at not a date-time', { due_at: 'tomorrow' }, '/due_at'],
    ['due_at without a time zone', { due_at: '2027-01-01T10:00:00' }, '/due_at'],
    ['due_at a date only', { due_at: '2027-01-01' }, '/due_at'],
    ['due_at a number', { due_at: 1_700_000_000 }, '/due_at'],
    ['due_at in year 0', { due_at: '0000-06-01T00:00:00Z' }, '/due_at'],
    ['an unknown priority', { priority: 'critical' }, '/priority'],
    ['priority null', { priority: null }, '/priority'],
    ['priority as its rank', { priority: 3 }, '/priority'],
    ['labels not an array', { labels: 'a,b' }, '/labels'],
    ['labels null', { labels: null }, '/labels'],
    ['a label not a string', { labels: ['a', 7] }, '/labels/1'],
    ['a blank label', { labels: ['a', '   '] }, '/labels/1'],
    ['an empty label', { labels: [''] }, '/labels/0'],
    ['a label of 51 characters', { labels: [LONG] }, '/labels/0'],
    ['a label with a comma', { labels: ['a,b'] }, '/labels/0'],
    ['the same label twice in other cases', { labels: ['Bug', 'bug '] }, '/labels/1'],
    ['21 labels', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, '/labels'],
    ['a label with a NUL character', { labels: ['a\u0000b'] }, '/labels/0'],
  ];

  it.each(cases)('%s', async (_, fields, pointer) => {
    const task = await createTask(api, 'bob', { title: 'unchanged', labels: ['keep'] });
    const before = await taskRows(api);
    await expectFieldError(await post({ title: 'new', ...fields }), { pointer });
    await expectFieldError(await put(task.id, { title: 'new', ...fields }), { pointer });
    await expectFieldError(await patch(task.id, fields), { pointer });
    expect(await taskRows(api)).toEqual(before);
  });

  it('a due date that is not one says what is wanted, in a body and in a filter', async () => {
    const wanted = 'must be an RFC 3339 date and time with a time zone, e.g. 2026-12-31T17:00:00Z';
    const body = await expectFieldError(await post({ title: 'new', due_at: 'tomorrow' }), {
      pointer: '/due_at',
    });
    expect(body.errors).toEqual([{ pointer: '/due_at', message: wanted }]);
    const query = await expectFieldError(await api.request('bob', 'GET', '/tasks?due_after=soon'), {
      parameter: 'due_after',
    });
    expect(query.errors).toEqual([{ parameter: 'due_after', message: wanted }]);
  });
});

describe('who may write them', () => {
  it("a user may not change another user's task (404), a viewer never writes (403)", async () => {
    const task = await createTask(api, 'bob', { title: 'bob only' });
    const other = await api.request('dave', 'PATCH', `/tasks/${task.id}`, {
      json: { priority: 'urgent' },
      headers: MERGE_PATCH,
    });
    await expectProblem(other, 404, 'TASK_NOT_FOUND');
    const viewer = await api.request('carol', 'PATCH', `/tasks/${task.id}`, {
      json: { labels: ['x'] },
      headers: MERGE_PATCH,
    });
    await expectProblem(viewer, 403, 'FORBIDDEN');
    const viewerCreate = await api.request('carol', 'POST', '/tasks', {
      json: { title: 'v', labels: ['x'] },
    });
    await expectProblem(viewerCreate, 403, 'FORBIDDEN');
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it("an admin may set them on anyone's task", async () => {
    const task = await createTask(api, 'bob', { title: 'bob only' });
    const response = await api.request('alice', 'PATCH', `/tasks/${task.id}`, {
      json: { priority: 'urgent', labels: ['escalated'], due_at: '2027-05-05T05:05:05Z' },
      headers: MERGE_PATCH,
    });
    expect(response.status).toBe(200);
    expect(await bodyOf<Task>(response)).toMatchObject({ priority: 'urgent', labels: ['escalated'] });
  });
});
