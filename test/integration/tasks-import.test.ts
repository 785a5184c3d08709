/**
 * POST /tasks/import on the real server and database: admins only; every
 * line checked by the rules of POST /tasks; one bad line and nothing is
 * stored, with each bad line reported; each imported task created as POST
 * creates it (event, history, a fresh cache); idempotent by its key.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_MAX_BYTES, IMPORT_MAX_TASKS } from '../../src/modules/tasks/tasks.import.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import {
  createTask,
  expectProblem,
  readAsAdmin,
  subOf,
  type Task,
  taskRows,
} from '../support/task-helpers.ts';

interface ImportResult {
  imported: number;
  tasks: { line: number; id: string }[];
}
interface LinesProblem {
  detail: string;
  lines: { line: number; errors: { pointer: string; message: string }[] }[];
}

let api: RunningApi;
let db: pg.Client;
beforeAll(async () => {
  api = await startApi();
  db = new pg.Client({ connectionString: api.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await api?.close();
});

let keys = 0;
const ndjson = (...lines: unknown[]) => lines.map((line) => JSON.stringify(line)).join('\n');
const importAs = (
  user: 'alice' | 'bob' | 'carol' | 'erin' | undefined,
  body: string,
  key = `key-${++keys}`,
) =>
  api.request(user, 'POST', '/tasks/import', {
    body,
    headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key },
  });
const count = async (sql: string, values: unknown[] = []) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values)).rows[0]?.n ?? 0;

describe('a good import', () => {
  it('stores every line as POST /tasks would, each with its task.created event and history entry', async () => {
    const body = `${ndjson(
      { title: '  Buy milk  ', labels: ['home'], priority: 'high', due_at: '2030-01-02T03:04:05+01:00' },
      { title: 'For bob', owner_id: subOf('bob'), status: 'done' },
    )}\r\n\n`;
    const response = await importAs('alice', body);
    const result = await bodyOf<ImportResult>(response);
    expect(response.status, JSON.stringify(result)).toBe(200);
    expect(result.imported).toBe(2);
    expect(result.tasks.map((task) => task.line)).toEqual([1, 2]);
    const [milk, forBob] = (await Promise.all(result.tasks.map(({ id }) => readAsAdmin(api, id)))) as [
      Task,
      Task,
    ];
    expect(milk).toMatchObject({
      title: 'Buy milk',
      owner_id: subOf('alice'),
      labels: ['home'],
      priority: 'high',
      due_at: '2030-01-02T02:04:05.000Z',
      version: 1,
    });
    expect(forBob).toMatchObject({ owner_id: subOf('bob'), status: 'done' });
    expect(forBob.completed_at).not.toBeNull();
    const ids = result.tasks.map(({ id }) => id);
    expect(await count(`outbox WHERE type = 'task.created' AND payload->>'task_id' = ANY($1)`, [ids])).toBe(
      2,
    );
    expect(await count(`task_history WHERE type = 'task.created' AND task_id = ANY($1)`, [ids])).toBe(2);
    // bob sees the task an admin imported for him.
    expect((await api.request('bob', 'GET', `/tasks/${forBob.id}`)).status).toBe(200);
  });

  it('a line of GET /tasks/export is a line of an import: the fields the server assigns are ignored', async () => {
    const original = await createTask(api, 'bob', {
      title: 'round trip',
      labels: ['a', 'B'],
      status: 'done',
    });
    const exported = await (await api.request('alice', 'GET', '/tasks/export?q=round trip')).text();
    const result = await bodyOf<ImportResult>(await importAs('alice', exported));
    expect(result.imported).toBe(1);
    const copy = (await readAsAdmin(api, result.tasks[0]?.id ?? '')) as Task;
    expect(copy.id).not.toBe(original.id);
    const fields = ({ title, description, status, owner_id, due_at, priority, labels }: Task) => ({
      title,
      description,
      status,
      owner_id,
      due_at,
      priority,
      labels,
    });
    expect(fields(copy)).toEqual(fields(original));
  });

  it('makes cached listings stale: the next listing shows the imported tasks', async () => {
    const listing = () => api.request('carol', 'GET', '/tasks?q=cache-check&limit=100');
    await listing();
    expect((await listing()).headers.get('x-cache')).toBe('hit');
    await importAs('alice', ndjson({ title: 'cache-check one' }));
    const after = await listing();
    expect(after.headers.get('x-cache')).toBe('miss');
    expect((await bodyOf<{ items: Task[] }>(after)).items.map((task) => task.title)).toEqual([
      'cache-check one',
    ]);
  });
});

describe('bad lines', () => {
  it('stores nothing, and reports each bad line with pointers into it', async () => {
    const before = await taskRows(api);
    const body = [
      JSON.stringify({ title: 'fine' }),
      '{"title": "cut off',
      JSON.stringify({ title: '   ' }),
      JSON.stringify({ title: 'extra', colour: 'red', priority: 'asap' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ title: 'labels', labels: ['x', 'X'] }),
      JSON.stringify({ title: 'fine too' }),
    ].join('\n');
    const problem = (await expectProblem(
      await importAs('alice', body),
      422,
      'VALIDATION_FAILED',
    )) as unknown as LinesProblem;
    expect(problem.detail).toBe('5 of 7 lines break the rules of POST /tasks; no task was imported.');
    expect(problem.lines.map(({ line }) => line)).toEqual([2, 3, 4, 5, 6]);
    const byLine = new Map(problem.lines.map(({ line, errors }) => [line, errors]));
    expect(byLine.get(2)).toEqual([{ pointer: '/', message: 'is not a JSON document' }]);
    expect(byLine.get(3)).toEqual([{ pointer: '/title', message: 'must not be blank' }]);
    expect(
      byLine
        .get(4)
        ?.map((error) => error.pointer)
        .sort(),
    ).toEqual(['/colour', '/priority']);
    expect(byLine.get(5)?.[0]?.pointer).toBe('/');
    expect(byLine.get(6)?.[0]?.pointer).toMatch(/^\/labels/);
    expect(await taskRows(api)).toEqual(before);
  });

  it('the key of a rejected import is not spent: the corrected file goes through under it', async () => {
    await expectProblem(await importAs('alice', ndjson({ title: '' }), 'fix-and-retry'), 422);
    const response = await importAs('alice', ndjson({ title: 'fixed' }), 'fix-and-retry');
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
  });

  it('an empty body is a 422; a body that is not NDJSON a 415', async () => {
    await expectProblem(await importAs('alice', '\n \n'), 422, 'VALIDATION_FAILED');
    const json = await api.request('alice', 'POST', '/tasks/import', {
      json: { title: 'x' },
      headers: { 'idempotency-key': 'json-body' },
    });
    await expectProblem(json, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('idempotency', () => {
  it('the same key and body: the first answer again, nothing stored; another body: 409', async () => {
    const body = ndjson({ title: 'once' }, { title: 'only once' });
    const first = await importAs('alice', body, 'replay');
    const tasksAfterFirst = await count('tasks');
    const again = await importAs('alice', body, 'replay');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await bodyOf<ImportResult>(again)).toEqual(await bodyOf<ImportResult>(first));
    expect(await count('tasks')).toBe(tasksAfterFirst);
    await expectProblem(
      await importAs('alice', ndjson({ title: 'other' }), 'replay'),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await count('tasks')).toBe(tasksAfterFirst);
  });

  it('concurrent imports under one key store the tasks once', async () => {
    const before = await count('tasks');
    const body = ndjson({ title: 'raced' });
    const answers = await Promise.all([1, 2, 3].map(() => importAs('alice', body, 'race')));
    const results = await Promise.all(answers.map((answer) => bodyOf<ImportResult>(answer)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(new Set(results.map((result) => result.tasks[0]?.id)).size).toBe(1);
    expect(await count('tasks')).toBe(before + 1);
  });

  it('the key is required', async () => {
    const response = await api.request('alice', 'POST', '/tasks/import', {
      body: ndjson({ title: 'no key' }),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    await expectProblem(response, 422, 'VALIDATION_FAILED');
  });
});

describe('limits and access', () => {
  it(`more than ${IMPORT_MAX_BYTES} bytes is a 413 that says the limits, and nothing is stored`, async () => {
    const before = await count('tasks');
    const line = JSON.stringify({ title: 'big', description: 'x'.repeat(9_000) });
    const body = Array.from({ length: Math.ceil(IMPORT_MAX_BYTES / line.length) + 1 }, () => line).join('\n');
    const problem = await expectProblem(await importAs('alice', body), 413, 'PAYLOAD_TOO_LARGE');
    expect(problem.detail).toMatch(/at most 10,000 tasks and 5 MiB/);
    expect(await count('tasks')).toBe(before);
  });

  it(`more than ${IMPORT_MAX_TASKS} tasks is a 413`, async () => {
    const body = Array.from({ length: IMPORT_MAX_TASKS + 1 }, () => '{"title":"t"}').join('\n');
    await expectProblem(await importAs('alice', body), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a user or a viewer is refused (403) and nothing is stored; no token is 401', async () => {
    const before = await taskRows(api);
    for (const user of ['bob', 'carol', 'erin'] as const) {
      await expectProblem(await importAs(user, ndjson({ title: `by ${user}` })), 403, 'FORBIDDEN');
    }
    await expectProblem(await importAs(undefined, ndjson({ title: 'anonymous' })), 401);
    expect(await taskRows(api)).toEqual(before);
  });
});
