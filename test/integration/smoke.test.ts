import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task, TaskPage } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('smoke', () => {
  it('creates and lists a task as bob', async () => {
    const created = await api.request('bob', 'POST', '/tasks', { json: { title: '  Write tests  ' } });
    const body = await bodyOf<Task>(created);
    expect(created.status, JSON.stringify(body)).toBe(201);
    expect(body.title).toBe('Write tests');
    const list = await api.request('bob', 'GET', '/tasks');
    const page = await bodyOf<TaskPage>(list);
    expect(list.status, JSON.stringify(page)).toBe(200);
    expect(page.items).toHaveLength(1);
  });
});
