/**
 * Authentication and roles on `/tasks`, with real RS256 tokens from the OIDC
 * fixture: every way a token can be missing or wrong is a 401 with a
 * `WWW-Authenticate: Bearer` challenge; each role gets exactly its rights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import type { MintOptions } from '../support/oidc-fixture.ts';
import {
  countTasks,
  createTask,
  expectProblem,
  listAll,
  readAsAdmin,
  subOf,
  type Task,
} from '../support/task-helpers.ts';

let api: RunningApi;
let bobsTask: Task;
beforeAll(async () => {
  api = await startApi();
  bobsTask = await createTask(api, 'bob', { title: "bob's task" });
});
afterAll(() => api?.close());

const now = () => Math.floor(Date.now() / 1000);
const withToken = (token: string, method = 'GET', path = '/tasks', init: { json?: unknown } = {}) =>
  api.request(undefined, method, path, { ...init, headers: { authorization: `Bearer ${token}` } });
const bobToken = (options: MintOptions) => api.oidc.token('bob', options);

/** Every `/tasks` operation, as a request for a task that exists. */
const operations = () =>
  [
    ['GET', '/tasks', undefined],
    ['GET', `/tasks/${bobsTask.id}`, undefined],
    ['POST', '/tasks', { title: 'new' }],
    ['PUT', `/tasks/${bobsTask.id}`, { title: 'replaced' }],
    ['PATCH', `/tasks/${bobsTask.id}`, { status: 'done' }],
    ['DELETE', `/tasks/${bobsTask.id}`, undefined],
  ] as const;

async function expectInvalidToken(response: Response) {
  const challenge = response.headers.get('www-authenticate');
  await expectProblem(response, 401, 'INVALID_TOKEN');
  expect(challenge).toMatch(/^Bearer\b/);
  expect(challenge).toContain('error="invalid_token"');
}

describe('requests without a valid token', () => {
  it('each operation without a token is 401 with a WWW-Authenticate: Bearer challenge', async () => {
    for (const [method, path, json] of operations()) {
      const response = await api.request(undefined, method, path, { json });
      const challenge = response.headers.get('www-authenticate');
      await expectProblem(response, 401, 'UNAUTHENTICATED');
      expect(challenge, `${method} ${path}`).toMatch(/^Bearer\b/);
      expect(challenge).not.toContain('error=');
    }
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it('a request without a token is 401 even when its body breaks the rules', async () => {
    const response = await api.request(undefined, 'POST', '/tasks', { json: { title: '', extra: 1 } });
    await expectProblem(response, 401, 'UNAUTHENTICATED');
  });

  it('a request without a token is 401 even when its body is not JSON', async () => {
    const response = await api.request(undefined, 'POST', '/tasks', {
      body: 'title=x',
      headers: { 'content-type': 'text/plain' },
    });
    await expectProblem(response, 401, 'UNAUTHENTICATED');
  });

  it.each([
    ['a garbage token', async () => 'not-a-jwt'],
    ['a token of three garbage parts', async () => 'aaa.bbb.ccc'],
    ['an expired token', () => bobToken({ claims: { iat: now() - 600, exp: now() - 120 } })],
    ['a token not valid yet (nbf in the future)', () => bobToken({ claims: { nbf: now() + 600 } })],
    ['a token for another audience', () => bobToken({ claims: { aud: 'other-api', azp: 'other-cli' } })],
    ['a token from another issuer', () => bobToken({ claims: { iss: 'http://127.0.0.1:9/realms/evil' } })],
    ['a token signed by an unpublished key', () => bobToken({ unpublishedKey: true })],
    [
      'a token signed by another key under the published kid',
      () => bobToken({ unpublishedKey: true, kid: 'fixture-key-1' }),
    ],
    ['a token without exp', () => bobToken({ claims: { exp: undefined } })],
    ['a token without sub', () => bobToken({ claims: { sub: undefined } })],
    ['a refresh token (typ Refresh)', () => bobToken({ claims: { typ: 'Refresh' } })],
  ])('%s is 401 with error="invalid_token"', async (_name, mint) => {
    await expectInvalidToken(await withToken(await mint()));
  });

  it('a token whose payload was altered after signing is 401 with error="invalid_token"', async () => {
    const [header, payload, signature] = (await api.oidc.token('bob')).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    claims.realm_access = { roles: ['admin'] };
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    await expectInvalidToken(await withToken(`${header}.${forged}.${signature}`));
  });

  it('an unsigned token (alg none) is 401 with error="invalid_token"', async () => {
    const payload = (await api.oidc.token('alice')).split('.')[1];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectInvalidToken(await withToken(`${header}.${payload}.`));
  });

  it('an invalid token cannot change anything', async () => {
    const token = await api.oidc.token('alice', { claims: { exp: now() - 120 } });
    await expectInvalidToken(
      await withToken(token, 'PATCH', `/tasks/${bobsTask.id}`, { json: { title: 'x' } }),
    );
    await expectInvalidToken(await withToken(token, 'DELETE', `/tasks/${bobsTask.id}`));
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it('an Authorization header of another scheme is 401 with a Bearer challenge', async () => {
    const response = await api.request(undefined, 'GET', '/tasks', {
      headers: { authorization: 'Basic Ym9iOmJvYg==' },
    });
    const challenge = response.headers.get('www-authenticate');
    await expectProblem(response, 401);
    expect(challenge).toMatch(/^Bearer\b/);
  });

  it('a token valid in every way but carrying the audience only in azp is accepted', async () => {
    const token = await bobToken({ claims: { aud: 'account', azp: 'tasks-api' } });
    expect((await withToken(token)).status).toBe(200);
  });
});

describe('roles', () => {
  it('a valid token with no role is 403 on every operation', async () => {
    for (const [method, path, json] of operations()) {
      await expectProblem(await api.request('erin', method, path, { json }), 403, 'FORBIDDEN');
    }
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it('a token with only roles this API does not know is 403', async () => {
    const token = await api.oidc.token('erin', { claims: { realm_access: { roles: ['offline_access'] } } });
    await expectProblem(await withToken(token), 403, 'FORBIDDEN');
  });

  it('a viewer reads every task and lists all of them', async () => {
    const davesTask = await createTask(api, 'dave', { title: "dave's task" });
    const read = await api.request('carol', 'GET', `/tasks/${bobsTask.id}`);
    expect(read.status).toBe(200);
    const ids = (await listAll(api, 'carol')).map((task) => task.id);
    expect(ids).toEqual(expect.arrayContaining([bobsTask.id, davesTask.id]));
  });

  it('a viewer creating, replacing, patching or deleting is 403, and nothing changes', async () => {
    const before = await countTasks(api);
    for (const [method, path, json] of operations().filter(([method]) => method !== 'GET')) {
      await expectProblem(await api.request('carol', method, path, { json }), 403, 'FORBIDDEN');
    }
    expect(await countTasks(api)).toBe(before);
    expect(await readAsAdmin(api, bobsTask.id)).toEqual(bobsTask);
  });

  it('a token with the viewer and user roles gets the union: creates, and sees every task', async () => {
    const token = await api.oidc.token('erin', { claims: { realm_access: { roles: ['viewer', 'user'] } } });
    const created = await withToken(token, 'POST', '/tasks', { json: { title: "erin's task" } });
    expect(created.status).toBe(201);
    expect((await bodyOf<Task>(created)).owner_id).toBe(subOf('erin'));
    expect((await withToken(token, 'GET', `/tasks/${bobsTask.id}`)).status).toBe(200);
  });

  it('an admin reads, changes and deletes a task of another user', async () => {
    const task = await createTask(api, 'dave', { title: 'for the admin' });
    expect((await api.request('alice', 'GET', `/tasks/${task.id}`)).status).toBe(200);
    const patched = await api.request('alice', 'PATCH', `/tasks/${task.id}`, { json: { status: 'done' } });
    expect(await bodyOf<Task>(patched)).toMatchObject({ status: 'done', owner_id: subOf('dave') });
    expect((await api.request('alice', 'DELETE', `/tasks/${task.id}`)).status).toBe(204);
  });
});

describe('owner_id', () => {
  it('an admin creates a task for another owner, who then sees it as theirs', async () => {
    const task = await createTask(api, 'alice', { title: 'assigned to dave', owner_id: subOf('dave') });
    expect(task.owner_id).toBe(subOf('dave'));
    expect((await api.request('dave', 'GET', `/tasks/${task.id}`)).status).toBe(200);
    expect((await listAll(api, 'dave')).map((t) => t.id)).toContain(task.id);
  });

  it('an admin moving a task to another owner moves who may see it', async () => {
    const task = await createTask(api, 'bob', { title: 'to be moved' });
    const response = await api.request('alice', 'PATCH', `/tasks/${task.id}`, {
      json: { owner_id: subOf('dave') },
    });
    expect(await bodyOf<Task>(response)).toMatchObject({ owner_id: subOf('dave'), version: 2 });
    await expectProblem(await api.request('bob', 'GET', `/tasks/${task.id}`), 404);
    expect((await api.request('dave', 'GET', `/tasks/${task.id}`)).status).toBe(200);
  });

  it('a user creating a task for another owner is 403, and no task is created', async () => {
    const before = await countTasks(api);
    const response = await api.request('bob', 'POST', '/tasks', {
      json: { title: 'for dave', owner_id: subOf('dave') },
    });
    await expectProblem(response, 403, 'FORBIDDEN');
    expect(await countTasks(api)).toBe(before);
  });

  it('a user naming themself as owner is accepted: nothing is set that is not already so', async () => {
    const task = await createTask(api, 'bob', { title: 'mine', owner_id: subOf('bob') });
    expect(task.owner_id).toBe(subOf('bob'));
    const response = await api.request('bob', 'PATCH', `/tasks/${task.id}`, {
      json: { owner_id: subOf('bob') },
    });
    expect(await bodyOf<Task>(response)).toEqual(task);
  });

  it.each(['PUT', 'PATCH'])(
    'a user giving their task away by %s is 403, and the task is unchanged',
    async (method) => {
      const task = await createTask(api, 'bob', { title: 'keep mine' });
      const response = await api.request('bob', method, `/tasks/${task.id}`, {
        json: { title: 'keep mine', owner_id: subOf('dave') },
      });
      await expectProblem(response, 403, 'FORBIDDEN');
      expect(await readAsAdmin(api, task.id)).toEqual(task);
    },
  );
});
