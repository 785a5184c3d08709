/**
 * Authentication and roles on `/tasks`, with real RS256 tokens from the OIDC
 * fixture: what a token grants, role by role, and how a missing token is
 * challenged whatever the body. Every way a token can be missing, malformed
 * or forged (401, nothing changed) is in security.test.ts.
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

const withToken = (token: string, method = 'GET', path = '/tasks', init: { json?: unknown } = {}) =>
  api.request(undefined, method, path, { ...init, headers: { authorization: `Bearer ${token}` } });
const bobToken = (options: MintOptions) => api.oidc.token('bob', options);

describe('requests without a usable token', () => {
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
