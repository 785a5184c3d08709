/**
 * `GET /tasks`: sorts (a total order, ties broken by id) and filters, over
 * tasks seeded with chosen timestamps (listing-fixture.ts) so that the
 * expected order is known independently of the API.
 */
import { describe, expect, it } from 'vitest';
import { TaskStatuses } from '../../src/modules/tasks/tasks.schemas.ts';
import { at, ids, useSeededListing } from '../support/listing-fixture.ts';
import { expectProblem, listAll, listPage, type SeededTask, subOf } from '../support/task-helpers.ts';

const listing = useSeededListing();

const SORTS = ['-created_at', 'created_at', '-updated_at', 'updated_at'] as const;

describe('sorting', () => {
  it('without sort, tasks come newest first (-created_at), ties broken by id', async () => {
    expect(ids(await listAll(listing.api, 'alice'))).toEqual(listing.expected('-created_at'));
  });

  it.each(SORTS)(
    'sort=%s orders every task totally, ties broken by id in the same direction',
    async (sort) => {
      expect(ids((await listPage(listing.api, 'alice', { sort, limit: 100 })).items)).toEqual(
        listing.expected(sort),
      );
    },
  );

  it.each(SORTS)('walking sort=%s with cursor two at a time gives the same order', async (sort) => {
    expect(ids(await listAll(listing.api, 'alice', { sort, limit: 2 }))).toEqual(listing.expected(sort));
  });

  it('tasks with identical timestamps come in id order', async () => {
    const ties = listing.seeded.filter((task) => task.title.startsWith('tie'));
    const listed = await listAll(listing.api, 'alice', {
      sort: 'created_at',
      created_after: at(29),
      limit: 100,
    });
    expect(ids(listed).filter((id) => ids(ties).includes(id))).toEqual(ids(ties).sort());
  });

  it('an unknown sort is 422 naming the parameter', async () => {
    const problem = await expectProblem(await listing.api.request('alice', 'GET', '/tasks?sort=title'), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'sort' })]);
  });
});

describe('filters', () => {
  it.each(TaskStatuses)('status=%s lists exactly the tasks of that status', async (status) => {
    const listed = await listAll(listing.api, 'alice', { status });
    expect(ids(listed)).toEqual(
      listing.expected('-created_at', (task) => (task.status ?? 'todo') === status),
    );
  });

  it('status=todo,done lists the tasks of either status', async () => {
    const listed = await listAll(listing.api, 'alice', { status: 'todo,done' });
    expect(ids(listed)).toEqual(listing.expected('-created_at', (task) => task.status !== 'in_progress'));
  });

  it('status naming all three statuses lists everything', async () => {
    expect(ids(await listAll(listing.api, 'alice', { status: 'done,todo,in_progress' }))).toEqual(
      listing.expected('-created_at'),
    );
  });

  it.each(['blocked', 'todo,blocked', 'todo,', 'TODO', ''])('status=%s is 422', async (status) => {
    await expectProblem(
      await listing.api.request('alice', 'GET', `/tasks?status=${status}`),
      422,
      'VALIDATION_FAILED',
    );
  });

  it("owner_id lists only that owner's tasks", async () => {
    const listed = await listAll(listing.api, 'carol', { owner_id: subOf('dave') });
    expect(ids(listed)).toEqual(listing.expected('-created_at', (task) => task.owner === 'dave'));
  });

  it('filters combine: owner, status and time range together', async () => {
    const listed = await listAll(listing.api, 'alice', {
      owner_id: subOf('bob'),
      status: 'todo',
      created_after: at(2),
      created_before: at(15),
    });
    const keep = (t: SeededTask) =>
      t.owner === 'bob' && (t.status ?? 'todo') === 'todo' && t.created_at > at(2) && t.created_at < at(15);
    expect(ids(listed)).toEqual(listing.expected('-created_at', keep));
    expect(listed.length).toBeGreaterThan(0);
  });

  it('created_after and created_before are exclusive bounds', async () => {
    const listed = await listAll(listing.api, 'alice', { created_after: at(5), created_before: at(10) });
    expect(ids(listed)).toEqual(
      listing.expected('-created_at', (t) => t.created_at > at(5) && t.created_at < at(10)),
    );
    expect(listed).toHaveLength(4);
  });

  it('a bound with a time-zone offset means the same instant', async () => {
    const listed = await listAll(listing.api, 'alice', { created_before: '2024-03-01T11:03:00+01:00' });
    expect(ids(listed)).toEqual(listing.expected('-created_at', (t) => t.created_at < at(3)));
  });

  it.each([
    [at(10), at(5)],
    [at(5), at(5)],
  ])('created_after=%s with created_before=%s (an empty range) is 400', async (after, before) => {
    const response = await listing.api.request(
      'alice',
      'GET',
      `/tasks?created_after=${after}&created_before=${before}`,
    );
    await expectProblem(response, 400, 'CONTRADICTORY_PARAMETERS');
  });

  it.each(['yesterday', '2024-03-01', '2024-03-01T10:00:00', '2024-13-01T00:00:00Z'])(
    'created_after=%s (not RFC 3339) is 422',
    async (value) => {
      const response = await listing.api.request(
        'alice',
        'GET',
        `/tasks?created_after=${encodeURIComponent(value)}`,
      );
      await expectProblem(response, 422, 'VALIDATION_FAILED');
    },
  );

  it.each([
    ['created_after', '2016-12-31T23:59:60Z', 'after the leap second'],
    ['created_before', '2016-12-31T23:59:60Z', 'before the leap second'],
    ['created_after', '2017-01-01T00:59:60+01:00', 'after the leap second'],
  ])('%s=%s (a leap second) is a bound between its neighbouring milliseconds', async (name, value, title) => {
    const window = { created_after: '2016-12-31T23:59:59.998Z', created_before: '2017-01-01T00:00:00.001Z' };
    const listed = await listAll(listing.api, 'alice', { ...window, [name]: value });
    expect(listed.map((task) => task.title)).toEqual([title]);
  });

  it.each([
    [{ created_after: '0000-01-01T00:00:00Z' }, 'every task'],
    [{ created_before: '0001-01-01T00:00:00+01:00' }, 'no task'],
    [{ created_before: '9999-12-31T23:59:59-23:59' }, 'every task'],
    [{ created_after: '9999-12-31T23:59:59-23:59' }, 'no task'],
  ])('a bound beyond the years 1–9999 (%j) is accepted and lists %s', async (bounds, what) => {
    const listed = await listAll(listing.api, 'alice', bounds);
    expect(ids(listed)).toEqual(what === 'no task' ? [] : listing.expected('-created_at'));
  });

  it.each(['milk', 'MILK', 'mIlK'])(
    'q=%s finds the text in titles and descriptions, in any case',
    async (q) => {
      const listed = await listAll(listing.api, 'alice', { q });
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
    expect((await listAll(listing.api, 'alice', { q })).map((task) => task.title)).toEqual(titles);
  });

  it.each(['ab', ' ab ', 'é'])('q=%j, under 3 characters after trimming, is 422 naming q', async (q) => {
    const response = await listing.api.request('alice', 'GET', `/tasks?q=${encodeURIComponent(q)}`);
    // The rule is the OpenAPI document's pattern, said in words (ajv-errors).
    expect(await expectProblem(response, 422, 'VALIDATION_FAILED')).toMatchObject({
      errors: [
        {
          parameter: 'q',
          message:
            'must be blank (no search) or at least 3 characters after trimming, without a NUL character or an unpaired UTF-16 surrogate',
        },
      ],
    });
  });

  it('q that matches nothing lists nothing, with next_cursor null', async () => {
    expect(await listPage(listing.api, 'alice', { q: 'no such text anywhere' })).toEqual({
      items: [],
      next_cursor: null,
    });
  });
});
