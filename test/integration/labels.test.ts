/**
 * GET /labels through real HTTP and PostgreSQL: the labels a caller can see,
 * most used first, with counts the triggers of migration 055 keep right
 * through every kind of write (create, PUT, PATCH, bulk, delete), under
 * concurrent writes too. After each step the kept counts, and the rows a
 * label filter walks (migration 060), are compared with the tasks themselves.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, useApiWithDatabase } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { createTask, expectProblem, inParallel, subOf } from '../support/task-helpers.ts';

const running = useApiWithDatabase();

interface LabelCount {
  label: string;
  count: number;
}

async function labelsOf(user: TestUser, query = ''): Promise<LabelCount[]> {
  const response = await running.api.request(user, 'GET', `/labels${query}`);
  const body = await bodyOf<{ items: LabelCount[] }>(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.items;
}

/** The kept counts equal those counted from the tasks, owner by owner, key by key. */
async function expectCountsMatchTasks() {
  const { rows } = await running.db.query<{ kept: string; counted: string }>(`
    SELECT
      (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM (
         SELECT owner_id || ':' || label_key || ':' || task_count AS k FROM label_counts WHERE task_count <> 0) kept
      )::text AS kept,
      (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM (
         SELECT owner_id || ':' || lower(l) || ':' || count(*) AS k FROM tasks, unnest(labels) l GROUP BY owner_id, lower(l)) counted
      )::text AS counted`);
  expect(rows[0]?.kept).toBe(rows[0]?.counted);
  await expectLabelRowsMatchTasks();
}

/** The label walk's rows (migration 060) are exactly each task's label keys, with its creation time and owner. */
async function expectLabelRowsMatchTasks() {
  const { rows } = await running.db.query<{ kept: string; expected: string }>(`
    SELECT
      (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM (
         SELECT label_key || ':' || task_id || ':' || task_owner_id || ':' || task_created_at AS k FROM task_labels) kept
      )::text AS kept,
      (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM (
         SELECT key || ':' || id || ':' || owner_id || ':' || created_at AS k
         FROM tasks, unnest(task_label_keys(labels)) key) expected
      )::text AS expected`);
  expect(rows[0]?.kept).toBe(rows[0]?.expected);
}

const patch = (user: TestUser, task: Task, json: unknown) =>
  running.api.request(user, 'PATCH', `/tasks/${task.id}`, { json });

describe('GET /labels', () => {
  it('counts every write: create, PATCH, PUT, bulk, delete; a label is the same in any case', async () => {
    const invoice = await createTask(running.api, 'bob', {
      title: 'Pay the invoice',
      labels: ['Finance', 'q4'],
    });
    const receipts = await createTask(running.api, 'bob', {
      title: 'File the receipts',
      labels: ['finance'],
    });
    await createTask(running.api, 'dave', { title: "Dave's", labels: ['FINANCE', 'travel'] });
    expect(await labelsOf('bob')).toEqual([
      { label: 'Finance', count: 2 },
      { label: 'q4', count: 1 },
    ]);
    await expectCountsMatchTasks();

    expect((await patch('bob', invoice, { labels: ['q4', 'urgent'] })).status).toBe(200);
    // The first spelling counted stays, whoever wrote the label since.
    expect(await labelsOf('bob')).toEqual([
      { label: 'Finance', count: 1 },
      { label: 'q4', count: 1 },
      { label: 'urgent', count: 1 },
    ]);
    // A change that leaves the labels alone leaves the counts alone.
    expect((await patch('bob', receipts, { status: 'done' })).status).toBe(200);
    const put = await running.api.request('bob', 'PUT', `/tasks/${receipts.id}`, {
      json: { title: 'File the receipts', labels: ['Q4'] },
    });
    expect(put.status).toBe(200);
    const bulk = await running.api.request('bob', 'POST', '/tasks/bulk', {
      json: { tasks: [{ id: invoice.id }, { id: receipts.id }], changes: { add_labels: ['Home'] } },
    });
    expect(bulk.status).toBe(200);
    expect(await labelsOf('bob')).toEqual([
      { label: 'Home', count: 2 },
      { label: 'q4', count: 2 },
      { label: 'urgent', count: 1 },
    ]);
    await expectCountsMatchTasks();

    // An admin gives a task to another owner: its labels are counted, and walked, as the new owner's.
    expect((await patch('alice', receipts, { owner_id: subOf('dave') })).status).toBe(200);
    await expectCountsMatchTasks();
    expect((await patch('alice', receipts, { owner_id: subOf('bob') })).status).toBe(200);

    expect((await running.api.request('bob', 'DELETE', `/tasks/${invoice.id}`)).status).toBe(204);
    expect(await labelsOf('bob')).toEqual([
      { label: 'Home', count: 1 },
      { label: 'q4', count: 1 },
    ]);
    await expectCountsMatchTasks();
  });

  it('shows a user their own labels; admins and viewers everyone’s, summed across owners', async () => {
    const everyone = await labelsOf('carol');
    expect(await labelsOf('alice')).toEqual(everyone);
    expect(everyone).toContainEqual({ label: 'FINANCE', count: 1 });
    expect(await labelsOf('dave')).toEqual([
      { label: 'FINANCE', count: 1 },
      { label: 'travel', count: 1 },
    ]);
    await createTask(running.api, 'dave', { title: 'Also home', labels: ['home'] });
    expect((await labelsOf('carol')).find((item) => item.label.toLowerCase() === 'home')?.count).toBe(2);
    await expectProblem(await running.api.request(undefined, 'GET', '/labels'), 401, 'UNAUTHENTICATED');
    await expectProblem(await running.api.request('erin', 'GET', '/labels'), 403, 'FORBIDDEN');
  });

  it('filters by a prefix in any case (LIKE characters match themselves) and limits the list', async () => {
    await createTask(running.api, 'dave', { title: 'odd labels', labels: ['100%', '1_0', 'trip'] });
    expect(await labelsOf('dave', '?prefix=TR')).toEqual([
      { label: 'travel', count: 1 },
      { label: 'trip', count: 1 },
    ]);
    expect(await labelsOf('dave', `?prefix=${encodeURIComponent('100%')}`)).toEqual([
      { label: '100%', count: 1 },
    ]);
    expect(await labelsOf('dave', '?prefix=1_')).toEqual([{ label: '1_0', count: 1 }]);
    expect(await labelsOf('dave', '?limit=1')).toHaveLength(1);
    await expectProblem(
      await running.api.request('dave', 'GET', '/labels?limit=0'),
      422,
      'VALIDATION_FAILED',
    );
    await expectProblem(
      await running.api.request('dave', 'GET', '/labels?prefix=a,b'),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('stays right under concurrent writes of the same labels', async () => {
    const tasks = await inParallel(60, (i) =>
      createTask(running.api, 'bob', { title: `parallel ${i}`, labels: ['Sprint', i % 2 ? 'odd' : 'even'] }),
    );
    await inParallel(30, (i) => patch('bob', tasks[i] as Task, { labels: ['sprint'] }));
    await inParallel(10, (i) => running.api.request('bob', 'DELETE', `/tasks/${(tasks[59 - i] as Task).id}`));
    const counts = Object.fromEntries(
      (await labelsOf('bob')).map((item) => [item.label.toLowerCase(), item.count]),
    );
    expect(counts).toMatchObject({ sprint: 50, odd: 10, even: 10 });
    await expectCountsMatchTasks();
  });
});

describe('label counts and TRUNCATE', () => {
  it('emptied tasks (the bench reseeds with TRUNCATE) leave no count behind', async () => {
    await createTask(running.api, 'bob', { title: 'before the truncate', labels: ['gone'] });
    await running.db.query('TRUNCATE tasks CASCADE');
    expect(await labelsOf('alice')).toEqual([]);
    await createTask(running.api, 'bob', { title: 'after it', labels: ['gone'] });
    expect(await labelsOf('bob')).toEqual([{ label: 'gone', count: 1 }]);
    await expectCountsMatchTasks();
  });
});
