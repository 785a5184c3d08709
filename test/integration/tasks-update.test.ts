/**
 * Changing tasks through real HTTP: PUT replaces the writable fields (an
 * omitted optional one returns to its default), PATCH is a JSON merge patch;
 * versions, ETags and timestamps follow every real change and only those.
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

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };
const UNKNOWN_ID = '0190a6b2-7c1e-7000-8000-000000000000';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const put = (id: string, json: unknown) => api.request('bob', 'PUT', `/tasks/${id}`, { json });
const patch = (id: string, json: unknown, headers: Record<string, string> = MERGE_PATCH) =>
  api.request('bob', 'PATCH', `/tasks/${id}`, { json, headers });

async function expectTask(response: Response, status = 200): Promise<Task> {
  const body = await bodyOf<Task>(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(response.headers.get('etag')).toBe(`"${body.version}"`);
  return body;
}

describe('PUT /tasks/{id}', () => {
  it('replacing every writable field is 200 with version 2 and ETag "2"; created_at stays', async () => {
    const created = await createTask(api, 'bob', { title: 'old' });
    const replaced = await expectTask(
      await put(created.id, { title: '  new  ', description: 'now described', status: 'done' }),
    );
    expect(replaced).toMatchObject({
      id: created.id,
      title: 'new',
      description: 'now described',
      status: 'done',
      owner_id: subOf('bob'),
      created_at: created.created_at,
      version: 2,
    });
    expect(replaced.updated_at >= created.updated_at).toBe(true);
    expect(await readAsAdmin(api, created.id)).toEqual(replaced);
  });

  it('optional fields omitted from a PUT return to their defaults', async () => {
    const created = await createTask(api, 'bob', { title: 't', description: 'd', status: 'in_progress' });
    const replaced = await expectTask(await put(created.id, { title: 't' }));
    expect(replaced).toMatchObject({ title: 't', description: null, status: 'todo', version: 2 });
  });

  it("an admin's PUT without owner_id keeps the task's owner", async () => {
    const created = await createTask(api, 'bob', { title: 'owned by bob' });
    const response = await api.request('alice', 'PUT', `/tasks/${created.id}`, {
      json: { title: 'renamed' },
    });
    expect((await expectTask(response)).owner_id).toBe(subOf('bob'));
  });

  it('a PUT that changes nothing keeps the version and updated_at', async () => {
    const created = await createTask(api, 'bob', { title: 'same', description: null, status: 'todo' });
    const replaced = await expectTask(await put(created.id, { title: 'same' }));
    expect(replaced).toEqual(created);
  });

  it('a PUT without a title is 422 pointing at /title, and the task is unchanged', async () => {
    const created = await createTask(api, 'bob', { title: 'keep', status: 'done' });
    await expectFieldError(await put(created.id, { status: 'todo' }), { pointer: '/title' });
    expect(await readAsAdmin(api, created.id)).toEqual(created);
  });

  it.each([
    ['a blank title', { title: '   ' }, '/title'],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, '/title'],
    ['a description of 10,001 characters', { title: 't', description: 'd'.repeat(10_001) }, '/description'],
    ['an unknown status', { title: 't', status: 'blocked' }, '/status'],
    ['an unknown field', { title: 't', colour: 'red' }, '/colour'],
    ['the read-only id', { title: 't', id: UNKNOWN_ID }, '/id'],
    ['the read-only version', { title: 't', version: 1 }, '/version'],
    ['the read-only created_at', { title: 't', created_at: '2024-01-01T00:00:00Z' }, '/created_at'],
  ])('a PUT with %s is 422 pointing at %s, and the task is unchanged', async (_name, body, pointer) => {
    const created = await createTask(api, 'bob', { title: 'unchanged' });
    await expectFieldError(await put(created.id, body), { pointer });
    expect(await readAsAdmin(api, created.id)).toEqual(created);
  });

  it('a PUT to an unknown or malformed id is 404', async () => {
    await expectProblem(await put(UNKNOWN_ID, { title: 't' }), 404, 'TASK_NOT_FOUND');
    await expectProblem(await put('not-an-id', { title: 't' }), 404);
  });
});

describe('PATCH /tasks/{id}', () => {
  it('a merge patch (application/merge-patch+json) changes only the fields it names', async () => {
    const created = await createTask(api, 'bob', { title: 't', description: 'd', status: 'todo' });
    const patched = await expectTask(await patch(created.id, { status: 'in_progress' }));
    expect(patched).toMatchObject({ title: 't', description: 'd', status: 'in_progress', version: 2 });
    expect(patched.created_at).toBe(created.created_at);
    expect(await readAsAdmin(api, created.id)).toEqual(patched);
  });

  it('a merge patch sent as application/json is accepted too', async () => {
    const created = await createTask(api, 'bob', { title: 't' });
    const response = await patch(created.id, { title: ' renamed ' }, { 'content-type': 'application/json' });
    expect(await expectTask(response)).toMatchObject({ title: 'renamed', version: 2 });
  });

  it('a null description removes the description', async () => {
    const created = await createTask(api, 'bob', { title: 't', description: 'remove me' });
    const patched = await expectTask(await patch(created.id, { description: null }));
    expect(patched).toMatchObject({ description: null, version: 2 });
  });

  it('a null title is 422 pointing at /title, and the task is unchanged', async () => {
    const created = await createTask(api, 'bob', { title: 'keep' });
    await expectFieldError(await patch(created.id, { title: null }), { pointer: '/title' });
    expect(await readAsAdmin(api, created.id)).toEqual(created);
  });

  it('a null status is 422 pointing at /status', async () => {
    const created = await createTask(api, 'bob', { title: 't' });
    await expectFieldError(await patch(created.id, { status: null }), { pointer: '/status' });
  });

  it.each([
    ['an empty patch', {}],
    ['a patch repeating the current values', { title: 'same', description: 'd', status: 'done' }],
    ['a patch whose title only differs by surrounding white space', { title: '  same  ' }],
  ])('%s keeps the version and updated_at', async (_name, body) => {
    const created = await createTask(api, 'bob', { title: 'same', description: 'd', status: 'done' });
    const patched = await expectTask(await patch(created.id, body));
    expect(patched).toEqual(created);
    expect(await readAsAdmin(api, created.id)).toEqual(created);
  });

  it('each real change bumps the version by one', async () => {
    const created = await createTask(api, 'bob', { title: 'v' });
    let latest = created;
    for (const status of ['in_progress', 'done', 'todo'] as const) {
      latest = await expectTask(await patch(created.id, { status }));
    }
    expect(latest.version).toBe(4);
    expect(latest.updated_at >= created.updated_at).toBe(true);
  });

  it.each([
    ['a blank title', { title: ' \t ' }, '/title'],
    ['a title of 201 characters after trimming', { title: ` ${'y'.repeat(201)} ` }, '/title'],
    ['a description of 10,001 characters', { description: 'd'.repeat(10_001) }, '/description'],
    ['an unknown status', { status: 'cancelled' }, '/status'],
    ['an unknown field', { due: '2030-01-01' }, '/due'],
    ['the read-only id', { id: UNKNOWN_ID }, '/id'],
    ['the read-only version', { version: 9 }, '/version'],
    ['the read-only updated_at', { updated_at: '2024-01-01T00:00:00Z' }, '/updated_at'],
  ])('a patch with %s is 422 pointing at %s, and the task is unchanged', async (_name, body, pointer) => {
    const created = await createTask(api, 'bob', { title: 'unchanged' });
    await expectFieldError(await patch(created.id, body), { pointer });
    expect(await readAsAdmin(api, created.id)).toEqual(created);
  });

  it('a patch that is not a JSON object is 422', async () => {
    const created = await createTask(api, 'bob', { title: 't' });
    await expectProblem(await patch(created.id, [{ op: 'replace', path: '/title', value: 'x' }]), 422);
    await expectProblem(await patch(created.id, 'title'), 422);
  });

  it('a patch to an unknown or malformed id is 404', async () => {
    await expectProblem(await patch(UNKNOWN_ID, { status: 'done' }), 404, 'TASK_NOT_FOUND');
    await expectProblem(await patch('12345', { status: 'done' }), 404);
  });

  it('a patch of a deleted task is 404', async () => {
    const created = await createTask(api, 'bob', { title: 'gone' });
    expect((await api.request('bob', 'DELETE', `/tasks/${created.id}`)).status).toBe(204);
    await expectProblem(await patch(created.id, { status: 'done' }), 404, 'TASK_NOT_FOUND');
  });
});
