/**
 * `GET /tasks` by the planning fields: the sorts by due date and priority
 * (tasks without a due date last, ties by id) and the filters due_after,
 * due_before, overdue, priority and label, every one under every sort,
 * walked page by page with `cursor` (no task skipped or repeated, across
 * ties and the tasks without a due date), for each kind of caller.
 */
import { describe, expect, it } from 'vitest';
import { ListSorts } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { ids } from '../support/listing-fixture.ts';
import {
  dueIn,
  hasLabels,
  isOverdue,
  type PlannedTask,
  rankOf,
  sortedPlanned,
  usePlannedListing,
} from '../support/planning-listing-fixture.ts';
import { expectProblem, listAll, listPage, sortedLikeApi, subOf } from '../support/task-helpers.ts';

const listing = usePlannedListing();

const NEW_SORTS = ['due_at', '-due_at', 'priority', '-priority'] as const;
const expectedOrder = (tasks: PlannedTask[], sort: string) =>
  ids(
    (NEW_SORTS as readonly string[]).includes(sort) ? sortedPlanned(tasks, sort) : sortedLikeApi(tasks, sort),
  );

type Params = Record<string, string>;
/** Each filter with what it keeps, as the contract says. */
const FILTERS: [Params, (task: PlannedTask) => boolean][] = [
  [{}, () => true],
  [{ due_after: dueIn(-4) }, (t) => t.due_at !== null && t.due_at > dueIn(-4)],
  [{ due_before: dueIn(2) }, (t) => t.due_at !== null && t.due_at < dueIn(2)],
  [
    { due_after: dueIn(-3), due_before: dueIn(30) },
    (t) => t.due_at !== null && t.due_at > dueIn(-3) && t.due_at < dueIn(30),
  ],
  [{ overdue: 'true' }, isOverdue],
  [{ overdue: 'false' }, (t) => !isOverdue(t)],
  [{ priority: 'urgent' }, (t) => t.priority === 4],
  [{ priority: 'none,high' }, (t) => t.priority === 0 || t.priority === 3],
  [{ label: 'finance' }, (t) => hasLabels(t, ['finance'])],
  [{ label: 'Q3,FINANCE' }, (t) => hasLabels(t, ['q3', 'finance'])],
  [{ label: ' legal , q3,Finance' }, (t) => hasLabels(t, ['legal', 'q3', 'finance'])],
  [
    { overdue: 'true', label: 'finance', priority: 'urgent' },
    (t) => isOverdue(t) && hasLabels(t, ['finance']) && t.priority === 4,
  ],
  [
    { status: 'todo', due_before: dueIn(3), priority: 'low,medium' },
    (t) =>
      t.status === 'todo' &&
      t.due_at !== null &&
      t.due_at < dueIn(3) &&
      (t.priority === 1 || t.priority === 2),
  ],
];

describe('sorts by due date and priority', () => {
  it.each(NEW_SORTS)('sort=%s orders every task totally (no due date last), ties by id', async (sort) => {
    const page = await listPage(listing.api, 'alice', { sort, limit: 100 });
    expect(ids(page.items)).toEqual(expectedOrder(listing.tasks, sort));
  });

  it.each(NEW_SORTS)(
    'walking sort=%s one task a page crosses every tie and the missing due dates',
    async (sort) => {
      expect(ids(await listAll(listing.api, 'alice', { sort, limit: 1 }))).toEqual(
        expectedOrder(listing.tasks, sort),
      );
    },
  );

  it('the tasks without a due date come last in both directions, in id order each way', async () => {
    const nulls = listing.tasks
      .filter((t) => t.due_at === null)
      .map((t) => t.id)
      .sort();
    const up = ids(await listAll(listing.api, 'alice', { sort: 'due_at', limit: 3 }));
    const down = ids(await listAll(listing.api, 'alice', { sort: '-due_at', limit: 3 }));
    expect(up.slice(-nulls.length)).toEqual(nulls);
    expect(down.slice(-nulls.length)).toEqual([...nulls].reverse());
  });

  it('priority goes from none to urgent', async () => {
    const page = await listPage(listing.api, 'alice', { sort: 'priority', limit: 100 });
    const ranks = page.items.map((task) => rankOf(task.priority));
    expect(ranks).toEqual([...ranks].sort());
    expect(page.items.at(-1)?.priority).toBe('urgent');
  });
});

describe('filters under every sort, walked two at a time', () => {
  for (const [params, keep] of FILTERS) {
    it.each(ListSorts)(`${JSON.stringify(params)} with sort=%s`, async (sort) => {
      const listed = await listAll(listing.api, 'alice', { ...params, sort, limit: 2 });
      expect(ids(listed)).toEqual(expectedOrder(listing.tasks.filter(keep), sort));
    });
  }

  it('every filter keeps some tasks and leaves out others (each case tells something)', () => {
    for (const [params, keep] of FILTERS.slice(1)) {
      const kept = listing.tasks.filter(keep).length;
      expect(kept, JSON.stringify(params)).toBeGreaterThan(0);
      expect(kept, JSON.stringify(params)).toBeLessThan(listing.tasks.length);
    }
  });
});

describe('who sees what', () => {
  it.each([...NEW_SORTS])("a user's listing, sort=%s, walks their own tasks only", async (sort) => {
    const own = listing.tasks.filter((t) => t.owner === 'bob');
    expect(ids(await listAll(listing.api, 'bob', { sort, limit: 2 }))).toEqual(expectedOrder(own, sort));
  });

  it("a user's label filter never reaches another's tasks", async () => {
    const listed = await listAll(listing.api, 'bob', { label: 'legal' });
    expect(listed.every((task) => task.owner_id === subOf('bob'))).toBe(true);
    expect(ids(listed)).toEqual(
      expectedOrder(
        listing.tasks.filter((t) => t.owner === 'bob' && hasLabels(t, ['legal'])),
        '-created_at',
      ),
    );
    expect(listing.tasks.some((t) => t.owner === 'dave' && hasLabels(t, ['legal']))).toBe(true);
  });

  it('a viewer lists every task with the new filters and sorts', async () => {
    const keep = (t: PlannedTask) => isOverdue(t) || t.priority === 4;
    const [overdue, urgent] = await Promise.all([
      listAll(listing.api, 'carol', { overdue: 'true', sort: '-priority', limit: 2 }),
      listAll(listing.api, 'carol', { priority: 'urgent', sort: 'due_at', limit: 2 }),
    ]);
    expect(ids(overdue)).toEqual(expectedOrder(listing.tasks.filter(isOverdue), '-priority'));
    expect(ids(urgent)).toEqual(
      expectedOrder(
        listing.tasks.filter((t) => t.priority === 4),
        'due_at',
      ),
    );
    expect(listing.tasks.filter(keep).some((t) => t.owner === 'dave')).toBe(true);
  });
});

describe('bad parameters', () => {
  it.each([
    ['due_after', 'tomorrow'],
    ['due_before', '2024-05-01'],
    ['overdue', 'yes'],
    ['overdue', '1'],
    ['priority', 'critical'],
    ['priority', 'high,'],
    ['label', ','],
    ['label', 'a,,b'],
    ['label', ' , '],
    ['label', 'x'.repeat(51)],
    ['label', Array.from({ length: 21 }, (_, i) => `l${i}`).join(',')],
  ])('%s=%s is 422 naming the parameter', async (name, value) => {
    const response = await listing.api.request('alice', 'GET', `/tasks?${name}=${encodeURIComponent(value)}`);
    const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: name })]);
  });

  it.each([
    [dueIn(1), dueIn(1)],
    [dueIn(2), dueIn(1)],
  ])('due_after=%s with due_before=%s (an empty range) is 400', async (after, before) => {
    const response = await listing.api.request(
      'alice',
      'GET',
      `/tasks?due_after=${after}&due_before=${before}`,
    );
    await expectProblem(response, 400, 'CONTRADICTORY_PARAMETERS');
  });

  const crafted = (sort: string, key: unknown) =>
    Buffer.from(JSON.stringify([1, sort, key, listing.tasks[0]?.id])).toString('base64url');
  it.each([
    ['due_at', 'infinity'],
    ['-due_at', '-infinity'],
    ['due_at', 3],
    ['priority', 5],
    ['-priority', null],
    ['priority', '2024-01-01T00:00:00.000Z'],
  ])('a sort=%s cursor with key %j is 400 INVALID_CURSOR', async (sort, key) => {
    const response = await listing.api.request(
      'alice',
      'GET',
      `/tasks?sort=${sort}&cursor=${crafted(sort, key)}`,
    );
    await expectProblem(response, 400, 'INVALID_CURSOR');
  });

  it('a due_at cursor is refused for -due_at', async () => {
    const { next_cursor: cursor } = await listPage(listing.api, 'alice', { sort: 'due_at', limit: 2 });
    const response = await listing.api.request('alice', 'GET', `/tasks?sort=-due_at&cursor=${cursor}`);
    await expectProblem(response, 400, 'INVALID_CURSOR');
  });
});
