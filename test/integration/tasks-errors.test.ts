/**
 * Errors: every error status the contract lists is an RFC 9457
 * `application/problem+json` body with type, title, status, detail, code and
 * request_id, and nothing internal (stack traces, SQL). Hostile input is data,
 * never code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  countTasks,
  createTask,
  expectProblem,
  listAll,
  queryOf,
  readAsAdmin,
  type Task,
} from '../support/task-helpers.ts';

let api: RunningApi;
let task: Task;
beforeAll(async () => {
  api = await startApi();
  task = await createTask(api, 'bob', { title: 'target', description: 'kept intact' });
});
afterAll(() => api?.close());

const raw = (method: string, path: string, body: string, contentType: string) =>
  api.request('bob', method, path, { body, headers: { 'content-type': contentType } });

describe('request bodies', () => {
  it.each(['POST', 'PUT', 'PATCH'])('%s with malformed JSON is 400 MALFORMED_REQUEST', async (method) => {
    const path = method === 'POST' ? '/tasks' : `/tasks/${task.id}`;
    await expectProblem(
      await raw(method, path, '{"title": "x",', 'application/json'),
      400,
      'MALFORMED_REQUEST',
    );
  });

  it('malformed JSON sent as application/merge-patch+json is 400', async () => {
    const response = await raw('PATCH', `/tasks/${task.id}`, "{title: 'x'}", 'application/merge-patch+json');
    await expectProblem(response, 400, 'MALFORMED_REQUEST');
  });

  it('an empty JSON body is 400', async () => {
    await expectProblem(await raw('POST', '/tasks', '', 'application/json'), 400, 'MALFORMED_REQUEST');
  });

  it.each([
    ['POST', 'text/plain'],
    ['POST', 'application/x-www-form-urlencoded'],
    ['PUT', 'text/plain'],
    ['PATCH', 'text/plain'],
    ['PATCH', 'application/json-patch+json'],
  ])('%s with a %s body is 415', async (method, contentType) => {
    const path = method === 'POST' ? '/tasks' : `/tasks/${task.id}`;
    await expectProblem(await raw(method, path, '{"title":"x"}', contentType), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it('a body over 64 KiB is 413, even when it is valid JSON', async () => {
    const response = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'huge', description: 'x'.repeat(70 * 1024) },
    });
    const problem = await expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(problem.detail).toBe('The request body is over 64 KiB, the most this operation takes.');
    expect(await countTasks(api, 'title = $1', ['huge'])).toBe(0);
  });

  it('a body under 64 KiB that breaks a field rule is 422, not 413', async () => {
    const response = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'big', description: 'x'.repeat(60 * 1024) },
    });
    await expectProblem(response, 422, 'VALIDATION_FAILED');
  });

  it('validation errors carry a pointer and a message for each broken rule', async () => {
    const response = await api.request('bob', 'POST', '/tasks', { json: { title: 7, version: 2 } });
    const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/title', message: expect.any(String) },
        { pointer: '/version', message: expect.any(String) },
      ]),
    );
  });
});

describe('every error status', () => {
  const cases: [number, string, () => Promise<Response>][] = [
    [400, 'CONTRADICTORY_PARAMETERS', () => api.request('alice', 'GET', '/tasks?cursor=abc&skip=1')],
    [400, 'INVALID_CURSOR', () => api.request('alice', 'GET', '/tasks?cursor=abc')],
    [401, 'UNAUTHENTICATED', () => api.request(undefined, 'GET', '/tasks')],
    [403, 'FORBIDDEN', () => api.request('carol', 'POST', '/tasks', { json: { title: 'x' } })],
    [404, 'TASK_NOT_FOUND', () => api.request('dave', 'GET', `/tasks/${task.id}`)],
    [404, 'ROUTE_NOT_FOUND', () => api.request('alice', 'GET', '/no-such-route')],
    [
      412,
      'PRECONDITION_FAILED',
      () => api.request('bob', 'PATCH', `/tasks/${task.id}`, { json: {}, headers: { 'if-match': '"9"' } }),
    ],
    [415, 'UNSUPPORTED_MEDIA_TYPE', () => raw('POST', '/tasks', 'x', 'text/plain')],
    [422, 'VALIDATION_FAILED', () => api.request('bob', 'POST', '/tasks', { json: {} })],
  ];

  it.each(cases)(
    'a %i (%s) is problem+json with every member and a distinct type',
    async (status, code, send) => {
      const problem = await expectProblem(await send(), status, code);
      expect(problem.type).toMatch(/^[a-z][a-z0-9+.-]*:/);
      expect(problem.type).toContain(code.toLowerCase().replaceAll('_', '-'));
    },
  );

  it('409 for a reused Idempotency-Key is problem+json', async () => {
    const post = (title: string) =>
      api.request('bob', 'POST', '/tasks', { json: { title }, headers: { 'idempotency-key': 'errors-409' } });
    expect((await post('one')).status).toBe(201);
    await expectProblem(await post('two'), 409, 'IDEMPOTENCY_KEY_REUSED');
  });

  it("the client's X-Request-Id is the problem's request_id", async () => {
    const response = await api.request(undefined, 'GET', '/tasks', {
      headers: { 'x-request-id': 'trace-123' },
    });
    expect((await expectProblem(response, 401)).request_id).toBe('trace-123');
  });

  it('an unsupported method on a task is a problem+json, not an HTML page', async () => {
    const response = await api.request('alice', 'POST', `/tasks/${task.id}`, { json: { title: 'x' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await expectProblem(response, response.status);
  });
});

describe('identity provider unreachable', () => {
  let offline: RunningApi;
  beforeAll(async () => {
    offline = await startApi({ OIDC_ISSUER: 'http://127.0.0.1:9/realms/tasks' });
  });
  afterAll(() => offline?.close());

  it('a request whose token cannot be checked is 503 with Retry-After', async () => {
    const token = await offline.oidc.token('bob', { claims: { iss: 'http://127.0.0.1:9/realms/tasks' } });
    const response = await offline.request(undefined, 'GET', '/tasks', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    const problem = await expectProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(problem.detail).toBe(
      'Your access token cannot be checked: the identity provider cannot be reached. Retry after Retry-After seconds.',
    );
  });
});

describe('hostile input', () => {
  const INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE tasks; --",
    '"; DELETE FROM tasks; --',
    '\\\\\\',
    "1' UNION SELECT 1--",
  ];

  it.each(INJECTIONS)('a title of %j is stored as text, and the data stay intact', async (title) => {
    const created = await createTask(api, 'bob', { title });
    expect(created.title).toBe(title);
    expect(await readAsAdmin(api, created.id)).toEqual(created);
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it.each(INJECTIONS)('q=%j finds only tasks containing that text', async (q) => {
    const listed = await listAll(api, 'alice', { q });
    expect(
      listed.every((t) => `${t.title} ${t.description ?? ''}`.toLowerCase().includes(q.toLowerCase())),
    ).toBe(true);
    expect(listed.map((t) => t.id)).not.toContain(task.id);
  });

  it.each(INJECTIONS)('owner_id=%j lists nothing for an admin', async (ownerId) => {
    expect(await listAll(api, 'alice', { owner_id: ownerId })).toEqual([]);
  });

  it.each([
    ['status', "todo' OR '1'='1"],
    ['sort', 'created_at; DROP TABLE tasks'],
    ['limit', '1; DROP TABLE tasks'],
    ['created_after', "2024-01-01T00:00:00Z' OR '1'='1"],
  ])('%s=%j is 422', async (name, value) => {
    await expectProblem(await api.request('alice', 'GET', `/tasks${queryOf({ [name]: value })}`), 422);
  });

  it('a task id of SQL text is 404', async () => {
    await expectProblem(
      await api.request('alice', 'GET', `/tasks/${encodeURIComponent("1' OR '1'='1")}`),
      404,
    );
    await expectProblem(
      await api.request('alice', 'DELETE', `/tasks/${encodeURIComponent('1;DROP TABLE tasks')}`),
      404,
    );
    expect(await readAsAdmin(api, task.id)).toEqual(task);
  });

  it.each([
    ['a NUL character in the title', { title: 'nul\u0000byte' }, '/title'],
    ['a NUL character in the description', { title: 'nul', description: 'nul\u0000byte' }, '/description'],
    ['an unpaired surrogate in the title', { title: 'half \ud800 a character' }, '/title'],
    ['an unpaired surrogate in the description', { title: 'half', description: '\udc00' }, '/description'],
    ['a NUL character in owner_id', { title: 'nul', owner_id: 'x\u0000' }, '/owner_id'],
  ])(
    '%s (text PostgreSQL cannot store as sent) is 422, not a 500 or an altered value',
    async (_name, json, pointer) => {
      const problem = await expectProblem(await api.request('alice', 'POST', '/tasks', { json }), 422);
      expect(problem.errors).toEqual([expect.objectContaining({ pointer })]);
    },
  );

  it('a title with emoji and other characters beyond the BMP is stored as sent', async () => {
    const title = 'ship 🚀 𝄞 ✓';
    expect((await createTask(api, 'bob', { title })).title).toBe(title);
  });

  it.each([
    ['q', 'nul\u0000byte'],
    ['owner_id', 'nul\u0000byte'],
  ])('a NUL character in %s is 422, not a server error', async (name, value) => {
    const problem = await expectProblem(
      await api.request('alice', 'GET', `/tasks${queryOf({ [name]: value })}`),
      422,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: name })]);
  });

  it('after all of the above, the original task is intact', async () => {
    expect(await readAsAdmin(api, task.id)).toEqual(task);
    const page = await bodyOf<{ items: Task[] }>(await api.request('alice', 'GET', '/tasks?limit=100'));
    expect(page.items.length).toBeGreaterThan(1);
  });
});
