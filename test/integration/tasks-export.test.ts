/**
 * GET /tasks/export on the real server and database: what the caller may
 * read and nothing else, filtered as the listing is, as NDJSON (each line
 * what GET /tasks/{id} answers) or CSV (RFC 4180), chosen by Accept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_BATCH_ROWS } from '../../src/modules/tasks/tasks.export.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import {
  createTask,
  expectProblem,
  readAsAdmin,
  seedTasks,
  subOf,
  type Task,
} from '../support/task-helpers.ts';

let api: RunningApi;
let bobs: Task[];
let daves: Task[];
beforeAll(async () => {
  api = await startApi();
  bobs = [
    await createTask(api, 'bob', { title: 'bob, "quoted"\r\nsecond line', labels: ['home', 'Errand'] }),
    await createTask(api, 'bob', { title: 'bob done', status: 'done', priority: 'high' }),
  ];
  daves = [await createTask(api, 'dave', { title: 'dave only', description: 'not for bob' })];
});
afterAll(() => api?.close());

type Reader = 'alice' | 'bob' | 'carol' | 'dave';
const exportRequest = (user: Reader, query = '', accept?: string) =>
  api.request(user, 'GET', `/tasks/export${query}`, { headers: accept === undefined ? {} : { accept } });
const exported = async (user: Reader, query = '', accept?: string) => {
  const response = await exportRequest(user, query, accept);
  return { response, text: await response.text() };
};
const ndjsonTasks = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Task);

describe('NDJSON', () => {
  it('is the default: one task per line, exactly as GET /tasks/{id} shows it, oldest first, as a download', async () => {
    const { response, text } = await exported('alice');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tasks-\d{4}-\d{2}-\d{2}\.ndjson"$/,
    );
    expect(text.endsWith('\n')).toBe(true);
    const tasks = ndjsonTasks(text);
    expect(tasks.map((task) => task.id)).toEqual([...bobs, ...daves].map((task) => task.id));
    for (const task of tasks) expect(task).toEqual(await readAsAdmin(api, task.id));
  });

  it('a user gets their own tasks only; a viewer gets everyone’s', async () => {
    expect(ndjsonTasks((await exported('bob')).text).map((task) => task.id)).toEqual(
      bobs.map((task) => task.id),
    );
    expect(ndjsonTasks((await exported('dave')).text).map((task) => task.id)).toEqual(
      daves.map((task) => task.id),
    );
    expect(ndjsonTasks((await exported('carol')).text)).toHaveLength(3);
  });

  it('takes the listing’s filters; a user naming another owner is refused as in the listing', async () => {
    const done = ndjsonTasks((await exported('alice', '?status=done')).text);
    expect(done.map((task) => task.id)).toEqual([bobs[1]?.id]);
    const found = ndjsonTasks((await exported('carol', `?owner_id=${subOf('dave')}&q=only`)).text);
    expect(found.map((task) => task.id)).toEqual([daves[0]?.id]);
    await expectProblem(await exportRequest('bob', `?owner_id=${subOf('dave')}`), 403, 'FORBIDDEN');
    await expectProblem(await exportRequest('bob', '?status=lost'), 422, 'VALIDATION_FAILED');
    await expectProblem(await exportRequest('bob', '?limit=5'), 422, 'VALIDATION_FAILED');
  });

  it('an export with no task is an empty body', async () => {
    const { response, text } = await exported('alice', '?q=nothing-like-this');
    expect(response.status).toBe(200);
    expect(text).toBe('');
  });
});

describe('CSV', () => {
  it('RFC 4180: a header row, CRLF, quoted fields with doubled quotes, labels as one field, null as empty', async () => {
    const { response, text } = await exported('bob', '', 'text/csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/filename="tasks-\d{4}-\d{2}-\d{2}\.csv"$/);
    const [first, second] = bobs as [Task, Task];
    expect(text).toBe(
      'id,title,description,status,owner_id,created_at,updated_at,version,due_at,priority,labels,completed_at\r\n' +
        `${first.id},"bob, ""quoted""\r\nsecond line",,todo,${first.owner_id},${first.created_at},` +
        `${first.updated_at},1,,none,"Errand,home",\r\n` +
        `${second.id},bob done,,done,${second.owner_id},${second.created_at},${second.updated_at},1,,high,,` +
        `${second.completed_at}\r\n`,
    );
  });

  it('an empty CSV export still has its header row', async () => {
    const { text } = await exported('bob', '?q=nothing-like-this', 'text/csv');
    expect(text).toBe(
      'id,title,description,status,owner_id,created_at,updated_at,version,due_at,priority,labels,completed_at\r\n',
    );
  });
});

describe('content negotiation and access', () => {
  it.each([
    ['text/csv;q=0.5, application/x-ndjson', 'application/x-ndjson'],
    ['application/x-ndjson;q=0.1, text/*', 'text/csv'],
    ['*/*', 'application/x-ndjson'],
  ])('Accept: %s is %s', async (accept, type) => {
    const { response } = await exported('bob', '', accept);
    expect(response.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
  });

  it('an Accept it cannot serve is a 406 problem naming the formats there are', async () => {
    const problem = await expectProblem(
      await exportRequest('bob', '', 'application/json'),
      406,
      'NOT_ACCEPTABLE',
    );
    expect(problem.detail).toContain('application/x-ndjson or text/csv');
  });

  it('without a token 401; without a role 403', async () => {
    await expectProblem(await api.request(undefined, 'GET', '/tasks/export'), 401);
    await expectProblem(await api.request('erin', 'GET', '/tasks/export'), 403, 'FORBIDDEN');
  });
});

describe('batches', () => {
  it('more tasks than one batch: each exactly once, in (created_at, id) order, ties included', async () => {
    const count = EXPORT_BATCH_ROWS * 2 + 3;
    // Many tasks share one creation time: the batches are cut inside runs of equal keys.
    const seeded = await seedTasks(
      api,
      Array.from({ length: count }, (_, i) => ({
        title: `batch ${i}`,
        owner: 'dave' as const,
        created_at: `2020-01-01T00:00:0${i % 3}.000Z`,
      })),
    );
    const tasks = ndjsonTasks((await exported('alice', `?owner_id=${subOf('dave')}&q=batch`)).text);
    const expected = [...seeded].sort((a, b) =>
      a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
    );
    expect(tasks.map((task) => task.id)).toEqual(expected.map((task) => task.id));
  });
});
