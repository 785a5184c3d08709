/**
 * Listing pages read together (`listTaskPages`: what the API does with the
 * listings that arrive in one turn of the event loop) are exactly the pages
 * each listing reads alone, whatever mix of shapes, callers and cursors
 * share the batch; listings of one shape share one statement; a statement
 * that fails fails only the listings it was reading.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Queryable } from '../../src/infra/db/database.ts';
import { encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';
import { listTaskPages } from '../../src/modules/tasks/tasks.listing-batches.ts';
import type { ListSort, ListTasksQuery } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { listTasksQuery } from '../../src/modules/tasks/tasks.listing-sql.ts';
import { type ListingQuery, normalizeListQuery } from '../../src/modules/tasks/tasks.query.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { caller } from '../support/principals.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const OWNERS = ['owner-a', 'owner-b', 'owner-c'];
const POSITION_ID = '01900000-0000-7000-8000-000000000000';
const SORTS: ListSort[] = ['-created_at', 'created_at', '-updated_at', 'updated_at'];

const admin = caller('admin-1', 'admin');
const listing = (overrides: Partial<ListTasksQuery>, caller = admin): ListingQuery =>
  normalizeListQuery({ skip: 0, limit: 5, sort: '-created_at', ...overrides }, caller);

let db: TestDatabase;
let pool: pg.Pool;
let preparedPool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // 240 tasks over three owners and three statuses; created_at repeats every
  // 40 tasks (ties only the id breaks), updated_at runs in another order.
  await pool.query(
    `INSERT INTO tasks (id, title, status, owner_id, created_at, updated_at)
     SELECT gen_random_uuid(), 'task ' || n || CASE WHEN n % 7 = 0 THEN ' report' ELSE '' END,
            (ARRAY['todo', 'in_progress', 'done'])[n % 3 + 1], ($1::text[])[(n / 3) % 3 + 1],
            timestamptz '2025-01-01' + (n % 40) * interval '1 minute',
            timestamptz '2025-02-01' + ((n * 7) % 240) * interval '1 second'
     FROM generate_series(1, 240) AS n`,
    [OWNERS],
  );
  preparedPool = createDatabase({
    url: db.url,
    migrationUrl: db.url,
    migrateOnStart: false,
    replicaUrls: [],
    replicaMaxLagSeconds: 30,
    poolSize: 4,
    preparedStatements: true,
    embeddedPort: 0,
  }).primary;
});

afterAll(async () => {
  await Promise.all([pool?.end(), preparedPool?.end()]);
  await db?.drop();
});

const alone = async (query: ListingQuery): Promise<Task[]> =>
  (await pool.query<Task>(listTasksQuery(query))).rows;

/** A cursor `depth` rows into the listing, as the API would have handed out. */
async function cursorAt(query: ListingQuery, depth: number): Promise<string> {
  const rows = await alone({ ...query, limit: depth + 1 });
  const row = rows[depth] as Task;
  const key = query.sort.endsWith('updated_at') ? row.updated_at : row.created_at;
  return encodeCursor({ sort: query.sort, key, id: row.id });
}

/** `target`, counting the statements sent through it. */
function counting(target: pg.Pool) {
  let statements = 0;
  const query = target.query.bind(target) as (...args: unknown[]) => unknown;
  const db = {
    query: (...args: unknown[]) => {
      statements += 1;
      return query(...args);
    },
  } as unknown as Queryable;
  return { db, statements: () => statements };
}

describe('listings read together', () => {
  it('return, for every mix of shapes, callers and cursors, the pages they return alone', async () => {
    const listings: ListingQuery[] = [];
    for (const sort of SORTS) {
      listings.push(listing({ sort }));
      listings.push(listing({ sort, status: 'done' }));
      listings.push(listing({ sort, status: 'todo,in_progress' }));
      for (const owner of OWNERS) {
        listings.push(listing({ sort }, caller(owner, 'user')));
        listings.push(listing({ sort, owner_id: owner, status: 'in_progress' }));
      }
      listings.push(listing({ sort, cursor: await cursorAt(listing({ sort }), 37) }));
      listings.push(listing({ sort, limit: 100, cursor: await cursorAt(listing({ sort }), 150) }));
      listings.push(
        listing({ sort, cursor: await cursorAt(listing({ sort }, caller('owner-b', 'user')), 11) }),
      );
      // Searches in their window of the listing's order; one the window cannot fill is read alone.
      listings.push(listing({ sort, q: 'report' }));
      listings.push(
        listing({ sort, q: 'REPORT', cursor: await cursorAt(listing({ sort, q: 'report' }), 7) }),
      );
      listings.push(listing({ sort, q: 'task 2' }, caller('owner-b', 'user')));
      listings.push(listing({ sort, q: 'task 239' }));
      // Planned for their values, so read alone, yet in the same call.
      listings.push(listing({ sort, created_after: '2025-01-01T00:20:00Z' }));
      listings.push(listing({ sort, skip: 200 }));
    }
    const expected = await Promise.all(listings.map(alone));
    expect(expected.filter((page) => page.length > 0).length).toBeGreaterThan(listings.length * 0.9);

    for (const target of [pool, preparedPool]) {
      const pages = await Promise.all(listTaskPages(target, listings));
      pages.forEach((page, index) => {
        expect(page, JSON.stringify(listings[index])).toEqual(expected[index]);
      });
    }
  });

  it('share one statement per shape', async () => {
    const counter = counting(pool);
    const byOwner = OWNERS.map((owner) => listing({}, caller(owner, 'user')));
    const byStatus = ['todo', 'todo', 'done'].map((status) => listing({ status }));
    // 'task 239' is in one task: its window (64 pages' worth of the time order) cannot fill a page.
    const searches = [listing({ q: 'report' }), listing({ q: 'task 1' }), listing({ q: 'task 239' })];
    const pages = await Promise.all(listTaskPages(counter.db, [...byOwner, ...byStatus, ...searches]));
    // Owners' first pages: one statement; one per status (written into the SQL); the searches one,
    // and the one its window could not fill once more, alone.
    expect(counter.statements()).toBe(1 + 2 + 1 + 1);
    expect(pages.slice(-3)).toEqual(await Promise.all(searches.map(alone)));
    expect(pages.at(-1)?.map((task) => task.title)).toEqual(['task 239']);
    for (const [index, owner] of OWNERS.entries()) {
      expect(pages[index]?.length).toBe(6);
      expect(pages[index]?.every((task) => task.owner_id === owner)).toBe(true);
    }
  });

  it('fail only the listings whose statement failed', async () => {
    const good = listing({ status: 'done' });
    // A position no statement can read: its batch fails in the database (invalid uuid).
    const broken: ListingQuery = {
      ...listing({}),
      after: { sort: '-created_at', key: '2025-01-01T00:00:00.000Z', id: 'not-a-uuid' },
    };
    const [goodPage, brokenPage] = await Promise.allSettled(listTaskPages(pool, [good, broken]));
    expect(goodPage).toEqual({ status: 'fulfilled', value: await alone(good) });
    expect(brokenPage?.status).toBe('rejected');
    expect(String((brokenPage as PromiseRejectedResult).reason)).toMatch(/uuid/);
  });

  it('fail only the listing whose value the database refused, not the others of its statement', async () => {
    // One shape (first pages after a position), so one statement, unless one value breaks it.
    const pageAfter = (key: string) => ({
      ...listing({}),
      after: { sort: '-created_at' as const, key, id: POSITION_ID },
    });
    const good = [pageAfter('2025-01-01T00:30:00.000Z'), pageAfter('2025-01-01T00:10:00.000Z')];
    // A day that does not exist: PostgreSQL refuses the whole statement (22008).
    const broken = pageAfter('2024-02-30T00:00:00.000Z');
    for (const target of [pool, preparedPool]) {
      const pages = await Promise.allSettled(
        listTaskPages(target, [good[0], broken, good[1]] as ListingQuery[]),
      );
      expect(pages[0]).toEqual({ status: 'fulfilled', value: await alone(good[0] as ListingQuery) });
      expect(pages[2]).toEqual({ status: 'fulfilled', value: await alone(good[1] as ListingQuery) });
      expect(pages[1]?.status).toBe('rejected');
      expect((pages[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22008' });
    }
  });
});
