/**
 * Hostile input found by fuzzing (issue 13): a value that is wrong in a way
 * the schema alone does not catch is the sender's 4xx problem, never a 500,
 * never another caller's failure, and never a changed stored value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  countTasks,
  createTask,
  createTasks,
  expectFieldError,
  expectProblem,
  readAsAdmin,
  type Task,
  type TaskPage,
} from '../support/task-helpers.ts';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
  await createTasks(api, 'bob', 12);
  await createTasks(api, 'dave', 3);
});
afterAll(() => api?.close());

const cursorOf = (position: unknown[]) => Buffer.from(JSON.stringify(position)).toString('base64url');

describe('a crafted cursor', () => {
  // Date.parse rolls February 30 over to March 1; PostgreSQL refuses it (22008).
  const crafted = cursorOf([
    1,
    '-created_at',
    '2024-02-30T00:00:00.000Z',
    '01900000-0000-7000-8000-000000000000',
  ]);

  it('is 400 INVALID_CURSOR for its sender', async () => {
    await expectProblem(await api.request('dave', 'GET', `/tasks?cursor=${crafted}`), 400, 'INVALID_CURSOR');
  });

  it('never fails the listings sent together with it', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 25 }, () =>
        Promise.all([
          api.request('bob', 'GET', '/tasks?limit=5'),
          api.request('dave', 'GET', `/tasks?limit=5&cursor=${crafted}`),
        ]),
      ),
    );
    for (const [good, bad] of pairs) {
      expect(good.status).toBe(200);
      expect((await bodyOf<TaskPage>(good)).items).toHaveLength(5);
      await expectProblem(bad, 400, 'INVALID_CURSOR');
    }
  });
});

describe('integer parameters', () => {
  it.each([
    ['limit', 'Infinity'],
    ['limit', '1e400'],
    ['limit', '-Infinity'],
    ['limit', '1e1'],
    ['limit', '5.0'],
    ['limit', '0x10'],
    ['limit', ' 5'],
    ['skip', 'Infinity'],
    ['skip', '1e400'],
    ['skip', '1e3'],
  ])('%s=%s is a 422 naming the parameter', async (parameter, value) => {
    for (const user of ['carol', 'bob'] as const) {
      const response = await api.request(user, 'GET', `/tasks?${parameter}=${encodeURIComponent(value)}`);
      await expectFieldError(response, { parameter });
    }
  });

  it('limit and skip written as integers still work', async () => {
    const response = await api.request('carol', 'GET', '/tasks?limit=3&skip=2');
    expect(response.status).toBe(200);
    expect((await bodyOf<TaskPage>(response)).items).toHaveLength(3);
  });
});

describe('bodies that are not UTF-8', () => {
  const send = async (method: string, path: string, body: Buffer, contentType: string) =>
    fetch(`${api.baseUrl}${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${await api.oidc.token('bob')}`, 'content-type': contentType },
    });
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

  it.each([
    ['bytes that are no UTF-8 at all', bytes('{"title":"ab', [0xff, 0xfe], 'cd"}')],
    ['a truncated sequence', bytes('{"title":"caf', [0xc3], '"}')],
    ['an overlong encoding of "/"', bytes('{"title":"a', [0xc0, 0xaf], 'b"}')],
    ['an encoded surrogate', bytes('{"title":"a', [0xed, 0xa0, 0x80], 'b"}')],
  ])('%s is a 422 and stores nothing', async (_case, body) => {
    const before = await countTasks(api);
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      await expectFieldError(await send('POST', '/tasks', body, contentType), { pointer: '/' });
    }
    const task = await createTask(api, 'bob', { title: 'kept as sent' });
    await expectFieldError(await send('PUT', `/tasks/${task.id}`, body, 'application/json'), {
      pointer: '/',
    });
    await expectFieldError(await send('PATCH', `/tasks/${task.id}`, body, 'application/merge-patch+json'), {
      pointer: '/',
    });
    expect(await readAsAdmin(api, task.id)).toEqual(task);
    expect(await countTasks(api)).toBe(before + 1);
  });

  it('a body declared in another charset is a 415, not read as UTF-8', async () => {
    const before = await countTasks(api);
    const latin1 = Buffer.from('{"title":"caf\xe9"}', 'latin1');
    for (const charset of ['latin1', 'ISO-8859-1', '"windows-1252"']) {
      const response = await send('POST', '/tasks', latin1, `application/json; charset=${charset}`);
      await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await countTasks(api)).toBe(before);
  });

  it('UTF-8 text, any script, is stored exactly as sent', async () => {
    const title = 'café ✓ 日本 🦊';
    const response = await send(
      'POST',
      '/tasks',
      Buffer.from(JSON.stringify({ title })),
      'application/json; charset=UTF-8',
    );
    expect(response.status).toBe(201);
    expect((await bodyOf<Task>(response)).title).toBe(title);
  });
});

describe('access tokens', () => {
  it('a valid token with padding appended to its signature is 401', async () => {
    const token = await api.oidc.token('bob');
    const headers = (value: string) => ({ headers: { authorization: `Bearer ${value}` } });
    expect((await fetch(`${api.baseUrl}/tasks`, headers(token))).status).toBe(200);
    for (const padded of [`${token}=`, `${token}==`]) {
      await expectProblem(await fetch(`${api.baseUrl}/tasks`, headers(padded)), 401, 'INVALID_TOKEN');
    }
  });
});
