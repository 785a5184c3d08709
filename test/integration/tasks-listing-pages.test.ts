/**
 * `GET /tasks` pages: offset and limit, and keyset pagination (next_cursor),
 * over the tasks of listing-fixture.ts.
 */
import { describe, expect, it } from 'vitest';
import { ids, useSeededListing } from '../support/listing-fixture.ts';
import { expectProblem, listAll, listPage } from '../support/task-helpers.ts';

const listing = useSeededListing();

describe('offset and limit', () => {
  it('without limit a page holds 10 tasks', async () => {
    const page = await listPage(listing.api, 'alice');
    expect(ids(page.items)).toEqual(listing.expected('-created_at').slice(0, 10));
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it.each([1, 100])('limit=%i is accepted', async (limit) => {
    const page = await listPage(listing.api, 'alice', { limit });
    expect(page.items).toHaveLength(Math.min(limit, listing.seeded.length));
  });

  it.each(['0', '101', '-1', 'ten', '1.5'])('limit=%s is 422 naming the parameter', async (limit) => {
    const problem = await expectProblem(
      await listing.api.request('alice', 'GET', `/tasks?limit=${limit}`),
      422,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'limit' })]);
  });

  it('skip=3&limit=4 is the fourth to seventh task of the order', async () => {
    const page = await listPage(listing.api, 'alice', { skip: 3, limit: 4, sort: 'updated_at' });
    expect(ids(page.items)).toEqual(listing.expected('updated_at').slice(3, 7));
  });

  it('skip beyond the last task is an empty page with next_cursor null', async () => {
    expect(await listPage(listing.api, 'alice', { skip: 1_000 })).toEqual({ items: [], next_cursor: null });
  });

  it.each(['-1', 'x'])('skip=%s is 422', async (skip) => {
    await expectProblem(
      await listing.api.request('alice', 'GET', `/tasks?skip=${skip}`),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('an unknown query parameter is 422 naming it', async () => {
    const problem = await expectProblem(await listing.api.request('alice', 'GET', '/tasks?page=2'), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'page' })]);
  });
});

describe('cursor', () => {
  it('walking every page returns each task exactly once, and the last page has next_cursor null', async () => {
    const limit = 5;
    const pages = [await listPage(listing.api, 'alice', { limit })];
    for (let page = pages[0]; page?.next_cursor; page = pages.at(-1)) {
      pages.push(await listPage(listing.api, 'alice', { limit, cursor: page.next_cursor }));
    }
    expect(pages).toHaveLength(Math.ceil(listing.seeded.length / limit));
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(pages.slice(0, -1).every((page) => page.items.length === limit)).toBe(true);
    expect(ids(pages.flatMap((page) => page.items))).toEqual(listing.expected('-created_at'));
  });

  it('a listing that fits one page exactly has next_cursor null', async () => {
    expect((await listPage(listing.api, 'alice', { limit: listing.seeded.length })).next_cursor).toBeNull();
  });

  it('a cursor keeps the filters of the walk', async () => {
    const listed = await listAll(listing.api, 'alice', { status: 'done', limit: 2, sort: 'updated_at' });
    expect(ids(listed)).toEqual(listing.expected('updated_at', (task) => task.status === 'done'));
  });

  it('cursor with skip=0 is accepted; cursor with skip>0 is 400', async () => {
    const { next_cursor: cursor } = await listPage(listing.api, 'alice', { limit: 3 });
    expect(
      (await listPage(listing.api, 'alice', { cursor: cursor ?? '', skip: 0, limit: 3 })).items,
    ).toHaveLength(3);
    const response = await listing.api.request('alice', 'GET', `/tasks?cursor=${cursor}&skip=2`);
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
    await expectProblem(
      await listing.api.request('alice', 'GET', `/tasks?cursor=${cursor}`),
      400,
      'INVALID_CURSOR',
    );
  });

  it('a cursor of another sort is 400', async () => {
    const { next_cursor: cursor } = await listPage(listing.api, 'alice', { limit: 2, sort: 'created_at' });
    const response = await listing.api.request('alice', 'GET', `/tasks?cursor=${cursor}&sort=-updated_at`);
    await expectProblem(response, 400, 'INVALID_CURSOR');
  });
});
