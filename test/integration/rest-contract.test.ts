/**
 * REST details a client relies on, each as the OpenAPI document declares it:
 * the body media types of each operation (PATCH alone takes merge patch), and
 * a 415 that says what the operation takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { countTasks, createTask, expectProblem, readAsAdmin, type Task } from '../support/task-helpers.ts';

let api: RunningApi;
let task: Task;
beforeAll(async () => {
  api = await startApi();
  task = await createTask(api, 'bob', { title: 'media types' });
});
afterAll(() => api?.close());

const send = (
  method: string,
  path: string,
  body: string,
  contentType: string,
  user: 'alice' | 'bob' = 'bob',
) => api.request(user, method, path, { body, headers: { 'content-type': contentType } });

describe('body media types', () => {
  it.each(['POST', 'PUT'])(
    '%s with application/merge-patch+json is 415, and nothing is written',
    async (method) => {
      const path = method === 'POST' ? '/tasks' : `/tasks/${task.id}`;
      const before = await countTasks(api);
      const problem = await expectProblem(
        await send(method, path, '{"title":"merge patch"}', 'application/merge-patch+json'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expect(problem.detail).toBe(
        'This operation takes a body of type application/json, not application/merge-patch+json.',
      );
      expect(await countTasks(api)).toBe(before);
      expect(await readAsAdmin(api, task.id)).toEqual(task);
    },
  );

  it('PATCH takes application/merge-patch+json', async () => {
    const response = await send(
      'PATCH',
      `/tasks/${task.id}`,
      '{"status":"done"}',
      'application/merge-patch+json',
    );
    expect(response.status).toBe(200);
    task = (await response.json()) as Task;
    expect(task.status).toBe('done');
  });

  it.each(['POST', 'PUT'])(
    'a 415 on %s says in Accept which type it takes (RFC 9110, 15.5.16)',
    async (method) => {
      const path = method === 'POST' ? '/tasks' : `/tasks/${task.id}`;
      const response = await send(method, path, 'x', 'text/plain');
      await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(response.headers.get('accept')).toBe('application/json');
    },
  );

  it('a 415 on PATCH names both types it takes, and says so in Accept and Accept-Patch', async () => {
    const response = await send('PATCH', `/tasks/${task.id}`, '{}', 'application/json-patch+json');
    expect(response.headers.get('accept-patch')).toBe('application/merge-patch+json, application/json');
    expect(response.headers.get('accept')).toBe('application/merge-patch+json, application/json');
    const problem = await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(problem.detail).toBe(
      'This operation takes a body of type application/merge-patch+json or application/json, not application/json-patch+json.',
    );
  });

  it('each operation takes exactly the media types the OpenAPI document lists for its body', async () => {
    const document = api.app.swagger() as {
      paths: Record<string, Record<string, { requestBody?: { content: object } }>>;
    };
    const offered = [
      'application/json',
      'application/merge-patch+json',
      'application/x-ndjson',
      'text/plain',
    ];
    for (const [route, item] of Object.entries(document.paths).filter(([route]) =>
      route.startsWith('/tasks'),
    )) {
      for (const [method, operation] of Object.entries(item)) {
        if (!operation.requestBody) continue;
        const listed = Object.keys(operation.requestBody.content);
        for (const type of offered) {
          const path = route.replace('{id}', task.id);
          // As an admin, who may call every operation: the media type is what decides.
          const response = await send(
            method.toUpperCase(),
            path,
            '{"title":"media type probe"}',
            type,
            'alice',
          );
          await response.body?.cancel();
          expect(response.status === 415, `${method} ${route} ${type}`).toBe(!listed.includes(type));
        }
      }
    }
  });
});

describe('validation problems', () => {
  it('1,400 unknown query parameters give at most 100 errors (the Problem schema), and the detail says more were left out', async () => {
    const query = Array.from({ length: 1_400 }, (_, i) => `u${i}=`).join('&');
    const response = await api.request('bob', 'GET', `/tasks?${query}`);
    const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveLength(100);
    expect(problem.detail).toBe(
      'The query string breaks the API contract. The first 100 of 1400 problems are listed.',
    );
  });

  it('a rule the server checks itself (a blank title) names the broken part as the schema does', async () => {
    const response = await api.request('bob', 'POST', '/tasks', { json: { title: '   ' } });
    const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(problem.detail).toBe('The request body breaks the API contract.');
    expect(problem.errors).toEqual([{ pointer: '/title', message: 'must not be blank' }]);
  });

  it('the detail names the broken part of the request in plain grammar', async () => {
    const response = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'x' },
      headers: { 'idempotency-key': ' spaced key ' },
    });
    const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(problem.detail).toBe('The request headers break the API contract.');
  });
});

describe('validation messages', () => {
  const errorsOf = async (method: string, path: string, json?: unknown) =>
    (await expectProblem(await api.request('bob', method, path, { json }), 422, 'VALIDATION_FAILED')).errors;

  it('an unknown query parameter is named as one, not as a field', async () => {
    expect(await errorsOf('GET', '/tasks?colour=red')).toEqual([
      { parameter: 'colour', message: 'is not a query parameter of this operation' },
    ]);
  });

  it('an unknown body field is named as one', async () => {
    expect(await errorsOf('POST', '/tasks', { title: 'x', colour: 'red' })).toEqual([
      { pointer: '/colour', message: 'is not a writable field' },
    ]);
  });

  it.each([
    [
      '/tasks?sort=title',
      'sort',
      'must be one of -created_at, created_at, -updated_at, updated_at, due_at, -due_at, priority, -priority',
    ],
    [
      '/tasks?priority=critical',
      'priority',
      'must be none, low, medium, high or urgent, or several of them separated by commas',
    ],
    [
      '/tasks?status=open',
      'status',
      'must be todo, in_progress or done, or several of them separated by commas',
    ],
  ])('%s lists the allowed values', async (path, parameter, message) => {
    expect(await errorsOf('GET', path)).toEqual([{ parameter, message }]);
  });

  it.each([
    ['status', 'must be one of todo, in_progress, done'],
    ['priority', 'must be one of none, low, medium, high, urgent'],
  ])('a body %s outside its values lists them', async (field, message) => {
    expect(await errorsOf('POST', '/tasks', { title: 'x', [field]: 'bogus' })).toEqual([
      { pointer: `/${field}`, message },
    ]);
  });
});

describe('methods', () => {
  it.each([
    ['DELETE', '/tasks', 'GET, HEAD, POST'],
    ['PATCH', '/tasks', 'GET, HEAD, POST'],
    ['POST', '/tasks/01900000-0000-7000-8000-000000000000', 'GET, HEAD, PUT, PATCH, DELETE'],
    // GET is the stream's; the others are /tasks/{id}'s, with "stream" as the id (a 404 task).
    ['POST', '/tasks/stream', 'GET, HEAD, PUT, PATCH, DELETE'],
    ['DELETE', '/healthz', 'GET, HEAD'],
    ['GET', '/tasks/stream/cookie', 'PUT, DELETE'],
  ])('%s %s is 405 with Allow: %s, as a problem', async (method, path, allow) => {
    const response = await api.request('bob', method, path);
    expect(response.headers.get('allow')).toBe(allow);
    const problem = await expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
    expect(problem.detail).toBe(`${path} does not take ${method}; it takes ${allow}.`);
  });

  it('a path no route has is 404, without Allow', async () => {
    const response = await api.request('bob', 'DELETE', '/no/such/path');
    expect(response.headers.get('allow')).toBeNull();
    const problem = await expectProblem(response, 404, 'ROUTE_NOT_FOUND');
    expect(problem.detail).toBe('Nothing is at /no/such/path.');
  });
});
