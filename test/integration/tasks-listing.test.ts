/**
 * `GET /tasks`: sorts (a total order, ties broken by id), filters, offset and
 * keyset pagination, over tasks seeded with chosen timestamps so that the
 * expected order is known independently of the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskStatuses } from '../../src/modules/tasks/tasks.schemas.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import {
  expectProblem,
  listAll,
  listPage,
  type SeededTask,
  seedTasks,
  sortedLikeApi,
  subOf,
} from '../support/task-helpers.ts';

const BASE = Date.UTC(2024, 2, 1, 10, 0, 0);
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at'] as const;

let api: RunningApi;
let seeded: SeededTask[];
beforeAll(async () => {
  api = await startApi();
  seeded = await seedTasks(api, [
    // created in one order, updated in another (7 is coprime with 20: a permutation)
    ...Array.from({ length: 20 }, (_, i) => ({
      title: `regular ${i}`,
      owner: i % 2 === 0 ? ('bob' as const) : ('dave' as const),
      status: TaskStatuses[i % 3],
      created_at: at(i),
      updated_at: at(100 + ((i * 7) % 20)),
    })),
    // six tasks with identical timestamps: only the id orders them
    ...Array.from({ length: 6 }, (_, j) => ({
      title: `tie ${j}`,
      owner: 'bob' as const,
      created_at: at(30),
      updated_at: at(130),
    })),
    { title: 'Buy MILK', owner: 'bob', created_at: at(40) },
    { title: 'Groceries', description: 'Remember the Milk and eggs', owner: 'dave', created_at: at(41) },
    { title: '100% sure', owner: 'bob', created_at: at(42) },
    { title: '100 percent sure', owner: 'bob', created_at: at(43) },
    { title: 'snake_case name', owner: 'bob', created_at: at(44) },
    { title: 'snakeXcase name', owner: 'bob', created_at: at(45) },
    { title: 'back\\slash', owner: 'bob', created_at: at(46) },
    // around the leap second at the end of 2016
    { title: 'before the leap second', owner: 'dave', created_at: '2016-12-31T23:59:59.999Z' },
    { title: 'after the leap second', owner: 'dave', created_at: '2017-01-01T00:00:00.000Z' },
  ]);
});
afterAll(() => api?.close());

const ids = (tasks: { id: string }[]) => tasks.map((task) => task.id);
const expected = (sort: string, keep: (task: SeededTask) => boolean = () => true) =>
  ids(sortedLikeApi(seeded.filter(keep), sort));

describe('sorting', () => {
  it('without sort, tasks come newest first (-created_at), ties broken by id', async () => {
    expect(ids(await listAll(api, 'alice'))).toEqual(expected('-created_at'));
  });

  it.each(SORTS)(
    'sort=%s orders every task totally, ties broken by id in the same direction',
    async (sort) => {
      expect(ids((await listPage(api, 'alice', { sort, limit: 100 })).items)).toEqual(expected(sort));
    },
  );

  it.each(SORTS)('walking sort=%s with cursor two at a time gives the same order', async (sort) => {
    expect(ids(await listAll(api, 'alice', { sort, limit: 2 }))).toEqual(expected(sort));
  });

  it('tasks with identical timestamps come in id order', async () => {
    const ties = seeded.filter((task) => task.title.startsWith('tie'));
    const listed = await listAll(api, 'alice', { sort: 'created_at', created_after: at(29), limit: 100 });
    expect(ids(listed).filter((id) => ids(ties).includes(id))).toEqual(ids(ties).sort());
  });

  it('an unknown sort is 422 naming the parameter', async () => {
    const problem = await expectProblem(await api.request('alice', 'GET', '/tasks?sort=title'), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'sort' })]);
  });
});

describe('filters', () => {
  it.each(TaskStatuses)('status=%s lists exactly the tasks of that status', async (status) => {
    const listed = await listAll(api, 'alice', { status });
    expect(ids(listed)).toEqual(expected('-created_at', (task) => (task.status ?? 'todo') === status));
  });

  it('status=todo,done lists the tasks of either status', async () => {
    const listed = await listAll(api, 'alice', { status: 'todo,done' });
    expect(ids(listed)).toEqual(expected('-created_at', (task) => task.status !== 'in_progress'));
  });

  it('status naming all three statuses lists everything', async () => {
    expect(ids(await listAll(api, 'alice', { status: 'done,todo,in_progress' }))).toEqual(
      expected('-created_at'),
    );
  });

  it.each(['blocked', 'todo,blocked', 'todo,', 'TODO', ''])('status=%s is 422', async (status) => {
    await expectProblem(
      await api.request('alice', 'GET', `/tasks?status=${status}`),
      422,
      'VALIDATION_FAILED',
    );
  });

  it("owner_id lists only that owner's tasks", async () => {
    const listed = await listAll(api, 'carol', { owner_id: subOf('dave') });
    expect(ids(listed)).toEqual(expected('-created_at', (task) => task.owner === 'dave'));
  });

  it('filters combine: owner, status and time range together', async () => {
    const listed = await listAll(api, 'alice', {
      owner_id: subOf('bob'),
      status: 'todo',
      created_after: at(2),
      created_before: at(15),
    });
    const keep = (t: SeededTask) =>
      t.owner === 'bob' && (t.status ?? 'todo') === 'todo' && t.created_at > at(2) && t.created_at < at(15);
    expect(ids(listed)).toEqual(expected('-created_at', keep));
    expect(listed.length).toBeGreaterThan(0);
  });

  it('created_after and created_before are exclusive bounds', async () => {
    const listed = await listAll(api, 'alice', { created_after: at(5), created_before: at(10) });
    expect(ids(listed)).toEqual(
      expected('-created_at', (t) => t.created_at > at(5) && t.created_at < at(10)),
    );
    expect(listed).toHaveLength(4);
  });

  it('a bound with a time-zone offset means the same instant', async () => {
    const listed = await listAll(api, 'alice', { created_before: '2024-03-01T11:03:00+01:00' });
    expect(ids(listed)).toEqual(expected('-created_at', (t) => t.created_at < at(3)));
  });

  it.each([
    [at(10), at(5)],
    [at(5), at(5)],
  ])('created_after=%s with created_before=%s (an empty range) is 400', async (after, before) => {
    const response = await api.request(
      'alice',
      'GET',
      `/tasks?created_after=${after}&created_before=${before}`,
    );
    await expectProblem(response, 400, 'CONTRADICTORY_PARAMETERS');
  });

  it.each(['yesterday', '2024-03-01', '2024-03-01T10:00:00', '2024-13-01T00:00:00Z'])(
    'created_after=%s (not RFC 3339) is 422',
    async (value) => {
      const response = await api.request('alice', 'GET', `/tasks?created_after=${encodeURIComponent(value)}`);
      await expectProblem(response, 422, 'VALIDATION_FAILED');
    },
  );

  it.each([
    ['created_after', '2016-12-31T23:59:60Z', 'after the leap second'],
    ['created_before', '2016-12-31T23:59:60Z', 'before the leap second'],
    ['created_after', '2017-01-01T00:59:60+01:00', 'after the leap second'],
  ])('%s=%s (a leap second) is a bound between its neighbouring milliseconds', async (name, value, title) => {
    const window = { created_after: '2016-12-31T23:59:59.998Z', created_before: '2017-01-01T00:00:00.001Z' };
    const listed = await listAll(api, 'alice', { ...window, [name]: value });
    expect(listed.map((task) => task.title)).toEqual([title]);
  });

  it.each([
    [{ created_after: '0000-01-01T00:00:00Z' }, 'every task'],
    [{ created_before: '0001-01-01T00:00:00+01:00' }, 'no task'],
    [{ created_before: '9999-12-31T23:59:59-23:59' }, 'every task'],
    [{ created_after: '9999-12-31T23:59:59-23:59' }, 'no task'],
  ])('a bound beyond the years 1–9999 (%j) is accepted and lists %s', async (bounds, what) => {
    const listed = await listAll(api, 'alice', bounds);
    expect(ids(listed)).toEqual(what === 'no task' ? [] : expected('-created_at'));
  });

  it.each(['milk', 'MILK', 'mIlK'])(
    'q=%s finds the text in titles and descriptions, in any case',
    async (q) => {
      const listed = await listAll(api, 'alice', { q });
      expect(listed.map((task) => task.title).sort()).toEqual(['Buy MILK', 'Groceries']);
    },
  );

  it.each([
    ['100%', ['100% sure']],
    ['00%', ['100% sure']],
    ['snake_case', ['snake_case name']],
    ['e_c', ['snake_case name']],
    ['k\\s', ['back\\slash']],
  ])('q=%s treats %% _ and \\ as literal characters', async (q, titles) => {
    expect((await listAll(api, 'alice', { q })).map((task) => task.title)).toEqual(titles);
  });

  it.each(['ab', ' ab ', 'é'])('q=%j, under 3 characters after trimming, is 422 naming q', async (q) => {
    const response = await api.request('alice', 'GET', `/tasks?q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { parameter: string }[] }).errors[0]?.parameter).toBe('q');
  });

  it('q that matches nothing lists nothing, with next_cursor null', async () => {
    expect(await listPage(api, 'alice', { q: 'no such text anywhere' })).toEqual({
      items: [],
      next_cursor: null,
    });
  });
});

describe('offset and limit', () => {
  it('without limit a page holds 10 tasks', async () => {
    const page = await listPage(api, 'alice');
    expect(ids(page.items)).toEqual(expected('-created_at').slice(0, 10));
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it.each([1, 100])('limit=%i is accepted', async (limit) => {
    const page = await listPage(api, 'alice', { limit });
    expect(page.items).toHaveLength(Math.min(limit, seeded.length));
  });

  it.each(['0', '101', '-1', 'ten', '1.5'])('limit=%s is 422 naming the parameter', async (limit) => {
    const problem = await expectProblem(await api.request('alice', 'GET', `/tasks?limit=${limit}`), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'limit' })]);
  });

  it('skip=3&limit=4 is the fourth to seventh task of the order', async () => {
    const page = await listPage(api, 'alice', { skip: 3, limit: 4, sort: 'updated_at' });
    expect(ids(page.items)).toEqual(expected('updated_at').slice(3, 7));
  });

  it('skip beyond the last task is an empty page with next_cursor null', async () => {
    expect(await listPage(api, 'alice', { skip: 1_000 })).toEqual({ items: [], next_cursor: null });
  });

  it.each(['-1', 'x'])('skip=%s is 422', async (skip) => {
    await expectProblem(await api.request('alice', 'GET', `/tasks?skip=${skip}`), 422, 'VALIDATION_FAILED');
  });

  it('an unknown query parameter is 422 naming it', async () => {
    const problem = await expectProblem(await api.request('alice', 'GET', '/tasks?page=2'), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'page' })]);
  });
});

describe('cursor', () => {
  it('walking every page returns each task exactly once, and the last page has next_cursor null', async () => {
    const limit = 5;
    const pages = [await listPage(api, 'alice', { limit })];
    for (let page = pages[0]; page?.next_cursor; page = pages.at(-1)) {
      pages.push(await listPage(api, 'alice', { limit, cursor: page.next_cursor }));
    }
    expect(pages).toHaveLength(Math.ceil(seeded.length / limit));
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(pages.slice(0, -1).every((page) => page.items.length === limit)).toBe(true);
    expect(ids(pages.flatMap((page) => page.items))).toEqual(expected('-created_at'));
  });

  it('a listing that fits one page exactly has next_cursor null', async () => {
    expect((await listPage(api, 'alice', { limit: seeded.length })).next_cursor).toBeNull();
  });

  it('a cursor keeps the filters of the walk', async () => {
    const listed = await listAll(api, 'alice', { status: 'done', limit: 2, sort: 'updated_at' });
    expect(ids(listed)).toEqual(expected('updated_at', (task) => task.status === 'done'));
  });

  it('cursor with skip=0 is accepted; cursor with skip>0 is 400', async () => {
    const { next_cursor: cursor } = await listPage(api, 'alice', { limit: 3 });
    expect((await listPage(api, 'alice', { cursor: cursor ?? '', skip: 0, limit: 3 })).items).toHaveLength(3);
    const response = await api.request('alice', 'GET', `/tasks?cursor=${cursor}&skip=2`);
    await expectProblem(response, 400, 'CONTRADICTORY_PARAMETERS');
  });

  it.each([
    ['garbage', 'garbage'],
    ['not base64url', '!!!***'],
    ['JSON of another shape', Buffer.from('{"after":1}').toString('base64url')],
    ['a forged id', Buffer.from('[1,"-created_at","2024-03-01T10:00:00.000Z","x"]').toString('base64url')],
    [
      'a forged time',
      Buffer.from(
        `[1,"-created_at","yesterday","${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}"]`,
      ).toString('base64url'),
    ],
  ])('a cursor that the API did not issue (%s) is 400', async (_name, cursor) => {
    await expectProblem(await api.request('alice', 'GET', `/tasks?cursor=${cursor}`), 400, 'INVALID_CURSOR');
  });

  it('a cursor of another sort is 400', async () => {
    const { next_cursor: cursor } = await listPage(api, 'alice', { limit: 2, sort: 'created_at' });
    const response = await api.request('alice', 'GET', `/tasks?cursor=${cursor}&sort=-updated_at`);
    await expectProblem(response, 400, 'INVALID_CURSOR');
  });
});
