/**
 * Creating, reading and deleting tasks through real HTTP: every field rule
 * of the contract, the headers of each success, and the 404s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  createTask,
  expectFieldError,
  expectProblem,
  readAsAdmin,
  subOf,
  type Task,
} from '../support/task-helpers.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const post = (json: unknown) => api.request('bob', 'POST', '/tasks', { json });

describe('POST /tasks', () => {
  it('a valid body creates a task with defaults, answered 201 with Location and ETag', async () => {
    const before = Date.now();
    const response = await post({ title: 'Write the tests' });
    const task = await bodyOf<Task>(response);
    expect(response.status, JSON.stringify(task)).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(task).toEqual({
      id: expect.stringMatching(UUID_V7),
      title: 'Write the tests',
      description: null,
      status: 'todo',
      owner_id: subOf('bob'),
      created_at: expect.stringMatching(RFC3339_UTC),
      updated_at: task.created_at,
      version: 1,
      due_at: null,
      priority: 'none',
      labels: [],
      completed_at: null,
    });
    expect(Date.parse(task.created_at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(task.created_at)).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(response.headers.get('location')).toBe(`/tasks/${task.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
  });

  it('the Location of a new task reads back the same task', async () => {
    const response = await post({ title: 'Located', description: 'text', status: 'in_progress' });
    expect(response.status).toBe(201);
    const created = await bodyOf<Task>(response);
    const read = await api.request('bob', 'GET', response.headers.get('location') ?? '');
    expect(read.status).toBe(200);
    expect(await bodyOf<Task>(read)).toEqual(created);
  });

  it('successive tasks get increasing (time-ordered) ids', async () => {
    const first = await createTask(api, 'bob', { title: 'first' });
    const second = await createTask(api, 'bob', { title: 'second' });
    expect(second.id > first.id).toBe(true);
  });

  it('a title with surrounding white space is stored trimmed', async () => {
    const task = await createTask(api, 'bob', { title: ' \t Trim me \n ' });
    expect(task.title).toBe('Trim me');
  });

  it('the 200-character limit counts the title as sent, white space included (the OpenAPI maxLength)', async () => {
    const title = 'x'.repeat(196);
    expect((await createTask(api, 'bob', { title: `  ${title}  ` })).title).toBe(title);
    const problem = await expectFieldError(await post({ title: ` ${'x'.repeat(200)}` }), {
      pointer: '/title',
    });
    expect(problem.errors).toEqual([
      { pointer: '/title', message: 'must NOT have more than 200 characters' },
    ]);
  });

  it('a title of 200 characters outside the BMP counts as 200 characters and is accepted', async () => {
    const title = '📝'.repeat(200);
    const task = await createTask(api, 'bob', { title });
    expect(task.title).toBe(title);
  });

  it('a title of 201 characters after trimming is 422 pointing at /title', async () => {
    await expectFieldError(await post({ title: ` ${'x'.repeat(201)} ` }), { pointer: '/title' });
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['white space of every kind', ' \t\n\r\u00a0\u2003 '],
  ])('a blank title (%s) is 422 pointing at /title', async (_name, title) => {
    await expectFieldError(await post({ title }), { pointer: '/title' });
  });

  it('a missing title is 422 pointing at /title', async () => {
    await expectFieldError(await post({ description: 'no title' }), { pointer: '/title' });
  });

  it.each([[123], [true], [null], [['a']], [{ text: 'a' }]])(
    'a title that is not a string (%j) is 422 pointing at /title',
    async (title) => {
      await expectFieldError(await post({ title }), { pointer: '/title' });
    },
  );

  it('a description of 10,000 characters is accepted and kept as sent', async () => {
    const description = `  ${'d'.repeat(9_996)}  `;
    const task = await createTask(api, 'bob', { title: 'long', description });
    expect(task.description).toBe(description);
  });

  it('a description of 10,001 characters is 422 with one error, about its length, at /description', async () => {
    const response = await post({ title: 'too long', description: 'd'.repeat(10_001) });
    const problem = await expectFieldError(response, { pointer: '/description' });
    expect(problem.errors).toEqual([{ pointer: '/description', message: expect.stringMatching(/10000/) }]);
  });

  it('a null description is accepted and stored as null', async () => {
    const task = await createTask(api, 'bob', { title: 'no description', description: null });
    expect(task.description).toBeNull();
  });

  it('a description that is not a string or null is 422 saying which types are allowed', async () => {
    const problem = await expectFieldError(await post({ title: 't', description: 42 }), {
      pointer: '/description',
    });
    expect(problem.errors).toEqual([{ pointer: '/description', message: 'must be string or null' }]);
  });

  it.each(['todo', 'in_progress', 'done'])('status "%s" is accepted', async (status) => {
    const task = await createTask(api, 'bob', { title: `status ${status}`, status });
    expect(task.status).toBe(status);
  });

  it.each(['archived', 'DONE', 'in progress', ''])(
    'status "%s" is 422 pointing at /status',
    async (status) => {
      await expectFieldError(await post({ title: 't', status }), { pointer: '/status' });
    },
  );

  it('an unknown field is 422 pointing at it, and no task is created', async () => {
    const problem = await expectFieldError(await post({ title: 'with colour', colour: 'red' }), {
      pointer: '/colour',
    });
    expect(problem.errors?.length).toBe(1);
    const listing = await api.request('alice', 'GET', '/tasks?q=with%20colour');
    expect((await bodyOf<{ items: Task[] }>(listing)).items).toEqual([]);
  });

  it.each([
    ['id', '0190a6b2-7c1e-7000-8000-000000000000'],
    ['version', 7],
    ['created_at', '2020-01-01T00:00:00Z'],
    ['updated_at', '2020-01-01T00:00:00Z'],
  ])('the read-only field %s is 422 pointing at it', async (field, value) => {
    await expectFieldError(await post({ title: 'read-only', [field]: value }), { pointer: `/${field}` });
  });

  it('every broken rule of one body is reported at once', async () => {
    const problem = await expectProblem(await post({ title: '', status: 'nope', id: 'x' }), 422);
    const pointers = problem.errors?.map((error) => error.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/title', '/status', '/id']));
  });

  it.each([
    ['an array', [{ title: 'a' }]],
    ['a string', 'title'],
    ['null', null],
  ])('a body that is %s rather than an object is 422', async (_name, json) => {
    await expectProblem(await post(json), 422, 'VALIDATION_FAILED');
  });
});

describe('GET /tasks/{id}', () => {
  it('the owner reads their task with 200 and its ETag', async () => {
    const created = await createTask(api, 'bob', { title: 'read me' });
    const response = await api.request('bob', 'GET', `/tasks/${created.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(await bodyOf<Task>(response)).toEqual(created);
  });

  it('an id in upper case names the same task', async () => {
    const created = await createTask(api, 'bob', { title: 'upper' });
    const response = await api.request('bob', 'GET', `/tasks/${created.id.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect((await bodyOf<Task>(response)).id).toBe(created.id);
  });

  it('an unknown id is 404 TASK_NOT_FOUND', async () => {
    const response = await api.request('alice', 'GET', '/tasks/0190a6b2-7c1e-7000-8000-000000000000');
    await expectProblem(response, 404, 'TASK_NOT_FOUND');
  });

  it('reads of many ids at once (some unknown, some in upper case; batched into one query) each get their own answer', async () => {
    const tasks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createTask(api, i % 2 ? 'bob' : 'dave', { title: `batch ${i}` })),
    );
    const unknown = Array.from(
      { length: 10 },
      (_, i) => `0190a6b2-7c1e-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const ids = [...tasks.map((task, i) => (i % 3 ? task.id : task.id.toUpperCase())), ...unknown];
    const responses = await Promise.all(ids.map((id) => api.request('alice', 'GET', `/tasks/${id}`)));
    for (const [i, response] of responses.entries()) {
      if (i < tasks.length) expect(await bodyOf<Task>(response)).toEqual(tasks[i]);
      else await expectProblem(response, 404, 'TASK_NOT_FOUND');
    }
  });

  it.each([
    'not-a-uuid',
    '123',
    '0190a6b2-7c1e-7000-8000-00000000000',
    '0190a6b2-7c1e-7000-8000-00000000000g',
    "1' OR '1'='1",
    'x'.repeat(150),
  ])('a malformed id (%s) is 404, like an unknown one', async (id) => {
    await expectProblem(await api.request('alice', 'GET', `/tasks/${encodeURIComponent(id)}`), 404);
  });
});

describe('DELETE /tasks/{id}', () => {
  it('deleting a task is 204 with an empty body, and the task is gone', async () => {
    const created = await createTask(api, 'bob', { title: 'delete me' });
    const response = await api.request('bob', 'DELETE', `/tasks/${created.id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectProblem(await api.request('bob', 'GET', `/tasks/${created.id}`), 404, 'TASK_NOT_FOUND');
    expect(await readAsAdmin(api, created.id)).toBeUndefined();
  });

  it('a second DELETE of the same task is 404', async () => {
    const created = await createTask(api, 'bob', { title: 'delete twice' });
    expect((await api.request('bob', 'DELETE', `/tasks/${created.id}`)).status).toBe(204);
    await expectProblem(await api.request('bob', 'DELETE', `/tasks/${created.id}`), 404, 'TASK_NOT_FOUND');
  });

  it('deleting an unknown or malformed id is 404', async () => {
    const unknown = await api.request('alice', 'DELETE', '/tasks/0190a6b2-7c1e-7000-8000-000000000000');
    await expectProblem(unknown, 404, 'TASK_NOT_FOUND');
    await expectProblem(await api.request('alice', 'DELETE', '/tasks/nope'), 404);
  });

  it('deleting one task leaves the others untouched', async () => {
    const keep = await createTask(api, 'bob', { title: 'keep' });
    const drop = await createTask(api, 'bob', { title: 'drop' });
    expect((await api.request('bob', 'DELETE', `/tasks/${drop.id}`)).status).toBe(204);
    expect(await readAsAdmin(api, keep.id)).toEqual(keep);
  });
});
