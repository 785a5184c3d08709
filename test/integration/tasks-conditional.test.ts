/**
 * Conditional requests and retry safety: `ETag` / `If-Match` (lost-update
 * protection), `If-None-Match` (304 on reads) and `Idempotency-Key` (a retried
 * POST creates one task), including concurrent requests.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  countTasks,
  createTask,
  expectProblem,
  readAsAdmin,
  subOf,
  type Task,
} from '../support/task-helpers.ts';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const conditional = (method: string, id: string, ifMatch: string, json?: unknown) =>
  api.request('bob', method, `/tasks/${id}`, { json, headers: { 'if-match': ifMatch } });

describe('If-Match', () => {
  it.each([
    ['PATCH', { status: 'done' }],
    ['PUT', { title: 'replaced', status: 'done' }],
  ])('%s with the current ETag is 200 and answers the next ETag', async (method, json) => {
    const task = await createTask(api, 'bob', { title: 'conditional' });
    const response = await conditional(method, task.id, '"1"', json);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect((await bodyOf<Task>(response)).version).toBe(2);
  });

  it.each([
    ['PATCH', { status: 'done' }],
    ['PUT', { title: 'replaced' }],
    ['DELETE', undefined],
  ])('%s with a stale ETag is 412 with the current ETag, and the task is unchanged', async (method, json) => {
    const task = await createTask(api, 'bob', { title: 'stale' });
    const current = await bodyOf<Task>(await conditional('PATCH', task.id, '"1"', { title: 'changed' }));
    const response = await conditional(method, task.id, '"1"', json);
    expect(response.headers.get('etag')).toBe('"2"');
    await expectProblem(response, 412, 'PRECONDITION_FAILED');
    expect(await readAsAdmin(api, task.id)).toEqual(current);
  });

  it('DELETE with the current ETag is 204', async () => {
    const task = await createTask(api, 'bob', { title: 'delete if unchanged' });
    expect((await conditional('DELETE', task.id, '"1"')).status).toBe(204);
    expect(await readAsAdmin(api, task.id)).toBeUndefined();
  });

  it.each(['PATCH', 'PUT', 'DELETE'])('%s with If-Match: * succeeds on an existing task', async (method) => {
    const task = await createTask(api, 'bob', { title: 'any version' });
    const response = await conditional(
      method,
      task.id,
      '*',
      method === 'DELETE' ? undefined : { title: 'x' },
    );
    expect(response.status).toBe(method === 'DELETE' ? 204 : 200);
  });

  it('a list of ETags that contains the current one matches', async () => {
    const task = await createTask(api, 'bob', { title: 'list' });
    expect((await conditional('PATCH', task.id, '"7", "1"', { status: 'done' })).status).toBe(200);
  });

  it('a weak ETag never matches If-Match (strong comparison): 412', async () => {
    const task = await createTask(api, 'bob', { title: 'weak' });
    await expectProblem(await conditional('PATCH', task.id, 'W/"1"', { status: 'done' }), 412);
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it('a stale If-Match on an unknown task is 404, not 412', async () => {
    const response = await conditional('PATCH', '0190a6b2-7c1e-7000-8000-000000000000', '"1"', {});
    await expectProblem(response, 404, 'TASK_NOT_FOUND');
  });

  it('two concurrent changes with the same ETag: one wins, the other is 412', async () => {
    const task = await createTask(api, 'bob', { title: 'race' });
    const responses = await Promise.all(
      ['first', 'second', 'third'].map((title) => conditional('PATCH', task.id, '"1"', { title })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412, 412]);
    const stored = await readAsAdmin(api, task.id);
    expect(stored?.version).toBe(2);
  });

  it('a no-op PATCH keeps the ETag, so a following If-Match still matches', async () => {
    const task = await createTask(api, 'bob', { title: 'same' });
    const noop = await conditional('PATCH', task.id, '"1"', { title: 'same' });
    expect(noop.headers.get('etag')).toBe('"1"');
    expect((await conditional('PATCH', task.id, '"1"', { status: 'done' })).status).toBe(200);
  });
});

describe('If-None-Match', () => {
  it('a read with the current ETag is 304 with no body and the ETag', async () => {
    const task = await createTask(api, 'bob', { title: 'cached' });
    const response = await api.request('bob', 'GET', `/tasks/${task.id}`, {
      headers: { 'if-none-match': '"1"' },
    });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(await response.text()).toBe('');
  });

  it('a 304 as sent on the wire: no body, no Content-Length or Content-Type of a body it does not have', async () => {
    const task = await createTask(api, 'bob', { title: 'cached' });
    const request =
      `GET /tasks/${task.id} HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer ${await api.oidc.token('bob')}\r\n` +
      'If-None-Match: "1"\r\nConnection: close\r\n\r\n';
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(api.baseUrl).port), '127.0.0.1', () => socket.write(request));
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 304 /);
    expect(head).toMatch(/\r\netag: "1"/i);
    expect(head).not.toMatch(/\r\ncontent-(length|type):/i);
    expect(body).toBe('');
  });

  it.each(['*', 'W/"1"', '"5", "1"'])(
    'If-None-Match: %s matching the current version is 304',
    async (value) => {
      const task = await createTask(api, 'bob', { title: 'cached' });
      const response = await api.request('bob', 'GET', `/tasks/${task.id}`, {
        headers: { 'if-none-match': value },
      });
      expect(response.status).toBe(304);
    },
  );

  it('a read with an ETag the task has moved past is 200 with the new version', async () => {
    const task = await createTask(api, 'bob', { title: 'changes' });
    await conditional('PATCH', task.id, '"1"', { status: 'done' });
    const response = await api.request('bob', 'GET', `/tasks/${task.id}`, {
      headers: { 'if-none-match': '"1"' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect((await bodyOf<Task>(response)).status).toBe('done');
  });
});

describe('Idempotency-Key', () => {
  const postWithKey = (user: 'bob' | 'dave', key: string, json: unknown) =>
    api.request(user, 'POST', '/tasks', { json, headers: { 'idempotency-key': key } });
  const countTitled = (title: string) => countTasks(api, 'title = $1', [title]);

  it('a retried POST with the same key and body returns the first task (201, same id), created once', async () => {
    const first = await postWithKey('bob', 'retry-1', { title: 'idempotent', status: 'in_progress' });
    const retry = await postWithKey('bob', 'retry-1', { title: 'idempotent', status: 'in_progress' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    const [created, replayed] = [await bodyOf<Task>(first), await bodyOf<Task>(retry)];
    expect(replayed).toEqual(created);
    expect(retry.headers.get('location')).toBe(`/tasks/${created.id}`);
    expect(retry.headers.get('etag')).toBe('"1"');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await countTitled('idempotent')).toBe(1);
  });

  it('the same key with a different body is 409, and no second task is created', async () => {
    expect((await postWithKey('bob', 'retry-2', { title: 'original' })).status).toBe(201);
    const response = await postWithKey('bob', 'retry-2', { title: 'different' });
    await expectProblem(response, 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(await countTitled('original')).toBe(1);
    expect(await countTitled('different')).toBe(0);
  });

  it('the same key used by another user is independent: each gets their own task', async () => {
    const bobs = await bodyOf<Task>(await postWithKey('bob', 'shared-key', { title: 'same key' }));
    const response = await postWithKey('dave', 'shared-key', { title: 'same key' });
    expect(response.status).toBe(201);
    const daves = await bodyOf<Task>(response);
    expect(daves.id).not.toBe(bobs.id);
    expect([bobs.owner_id, daves.owner_id]).toEqual([subOf('bob'), subOf('dave')]);
    expect(await countTitled('same key')).toBe(2);
  });

  it('different keys with the same body create different tasks', async () => {
    await postWithKey('bob', 'key-a', { title: 'twice on purpose' });
    await postWithKey('bob', 'key-b', { title: 'twice on purpose' });
    expect(await countTitled('twice on purpose')).toBe(2);
  });

  it('ten concurrent requests with the same key create exactly one task, and all answer it', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postWithKey('bob', 'concurrent', { title: 'exactly once' })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    const tasks = await Promise.all(responses.map((response) => bodyOf<Task>(response)));
    expect(new Set(tasks.map((task) => task.id)).size).toBe(1);
    expect(await countTitled('exactly once')).toBe(1);
  });

  it('concurrent requests with one key and two bodies create one task; the other body gets 409', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => ({ title: i % 2 === 0 ? 'body even' : 'body odd' }));
    const responses = await Promise.all(bodies.map((body) => postWithKey('bob', 'contested', body)));
    const created = await countTasks(api, 'title IN ($1, $2)', ['body even', 'body odd']);
    expect(created).toBe(1);
    const statuses = responses.map((response) => response.status);
    const winner = bodies[statuses.indexOf(201)]?.title;
    expect(statuses).toEqual(bodies.map((body) => (body.title === winner ? 201 : 409)));
  });

  it.each([
    ['contains a space', 'has space'],
    ['is longer than 255 characters', 'k'.repeat(256)],
  ])('a key that %s is 422 naming the header', async (_name, key) => {
    const problem = await expectProblem(await postWithKey('bob', key, { title: 'bad key' }), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'idempotency-key' })]);
    expect(await countTitled('bad key')).toBe(0);
  });
});
