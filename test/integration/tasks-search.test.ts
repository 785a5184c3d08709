/**
 * `q` on GET /tasks over real HTTP and PostgreSQL: every task whose title or
 * description contains the text, in any case, exactly once while paging
 * with a cursor (common words found in their window of the time order, rare
 * ones alone through the trigram index), in the listing's order and with
 * its filters; any text is literal and safe: quotes, search operators,
 * backslashes, SQL, Unicode.
 */
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchWindow } from '../../src/modules/tasks/tasks.listing-sql.ts';
import { useApiWithDatabase } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { listAll, listPage, sortedLikeApi, subOf } from '../support/task-helpers.ts';

const running = useApiWithDatabase();

interface Row {
  id: string;
  title: string;
  description: string | null;
  owner: TestUser;
  status: string;
  created_at: string;
  updated_at: string;
}

/** Searched for below: every character literal, each in the title of one task. */
const HOSTILE_TITLES = [
  'a & b | !c',
  'prefix:* wildcard',
  "it's 'quoted' here",
  'say "double" twice',
  'C:\\Users\\back\\slash',
  '50% off_sale',
  "'); DROP TABLE tasks; --",
  '-excluded word',
  'Überweisung für Café',
  'ΟΔΟΣ ΑΘΗΝΩΝ',
  '🚀 Launch day',
  '締め切り 東京',
];

const MINUTE = 60_000;
const BASE = Date.UTC(2025, 0, 1);
/** 1,500 tasks: "needle" in about one in ten (in any case, title or description), "haystack" in one in 125. */
const rows: Row[] = Array.from({ length: 1_500 }, (_, i) => ({
  id: uuidv7(),
  title: i % 13 === 0 ? `Find the ${['needle', 'NEEDLE', 'NeEdLe'][i % 3]} ${i}` : `Task ${i}`,
  description: i % 125 === 7 ? `somewhere in the haystack ${i}` : i % 31 === 0 ? `a needlework ${i}` : null,
  owner: i % 4 === 0 ? 'dave' : 'bob',
  status: ['todo', 'in_progress', 'done'][i % 3] as string,
  created_at: new Date(BASE + i * MINUTE).toISOString(),
  updated_at: new Date(BASE + 10_000 * MINUTE + ((i * 7) % 1_500) * MINUTE).toISOString(),
}));
for (const [i, title] of HOSTILE_TITLES.entries()) {
  rows.push({
    id: uuidv7(),
    title,
    description: null,
    owner: 'bob',
    status: 'todo',
    created_at: new Date(BASE + (2_000 + i) * MINUTE).toISOString(),
    updated_at: new Date(BASE + (2_000 + i) * MINUTE).toISOString(),
  });
}

beforeAll(async () => {
  const column = <T>(of: (row: Row) => T) => rows.map(of);
  await running.db.query(
    `INSERT INTO tasks (id, title, description, owner_id, status, created_at, updated_at, completed_at)
     SELECT id, title, description, owner_id, status, created_at, updated_at,
            CASE WHEN status = 'done' THEN updated_at END
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
       AS t(id, title, description, owner_id, status, created_at, updated_at)`,
    [
      column((row) => row.id),
      column((row) => row.title),
      column((row) => row.description),
      column((row) => subOf(row.owner)),
      column((row) => row.status),
      column((row) => row.created_at),
      column((row) => row.updated_at),
    ],
  );
});

/** What the API must list: rows containing `text` (ASCII case folded), in the order of `sort`. */
function expected(text: string, sort = '-created_at', keep: (row: Row) => boolean = () => true) {
  const needle = text.trim().toLowerCase();
  const found = rows.filter(
    (row) => keep(row) && `${row.title} ${row.description ?? ''}`.toLowerCase().includes(needle),
  );
  return sortedLikeApi(found, sort).map((row) => row.id);
}

const idsOf = (tasks: { id: string }[]) => tasks.map((task) => task.id);

describe('q pages through every match exactly once', () => {
  it.each([
    ['needle', 2],
    ['needle', 10],
    ['needle', 100],
    ['haystack', 2],
    ['haystack', 10],
    ['task 14', 3],
  ])('q=%s with limit %i, newest first', async (q, limit) => {
    const listed = await listAll(running.api, 'alice', { q, limit });
    expect(idsOf(listed)).toEqual(expected(q));
    expect(expected(q).length).toBeGreaterThan(limit);
  });

  it('a common word fills its page from its window; a rare one is found beyond it', () => {
    // The fixture is built for both paths: needle is in ~10% of the tasks, haystack in 0.4%.
    const window = searchWindow({ limit: 10 });
    expect(expected('needle').length / rows.length).toBeGreaterThan(11 / window);
    expect(expected('haystack').length / rows.length).toBeLessThan(11 / window);
  });

  it.each(['created_at', '-updated_at', 'updated_at'])('q=needle, sort=%s', async (sort) => {
    const listed = await listAll(running.api, 'alice', { q: 'needle', sort, limit: 7 });
    expect(idsOf(listed)).toEqual(expected('needle', sort));
  });

  it('q with filters: a status, and a user who sees only their own tasks', async () => {
    const done = await listAll(running.api, 'alice', { q: 'NEEDLE', status: 'done', limit: 4 });
    expect(idsOf(done)).toEqual(expected('needle', '-created_at', (row) => row.status === 'done'));
    const davesOwn = await listAll(running.api, 'dave', { q: 'haystack', limit: 2 });
    expect(idsOf(davesOwn)).toEqual(expected('haystack', '-created_at', (row) => row.owner === 'dave'));
  });

  it('the same text in another case lists the same tasks', async () => {
    const pages = await Promise.all(
      ['needle', 'NEEDLE', 'nEEdle'].map((q) => listPage(running.api, 'bob', { q, limit: 20 })),
    );
    expect(pages[1]?.items).toEqual(pages[0]?.items);
    expect(pages[2]?.items).toEqual(pages[0]?.items);
  });

  it('the start of a word, or any part of it, finds it', async () => {
    expect(idsOf(await listAll(running.api, 'alice', { q: 'needlew' }))).toEqual(expected('needlework'));
    expect(idsOf(await listAll(running.api, 'alice', { q: 'aysta' }))).toEqual(expected('haystack'));
  });
});

describe('q is literal and safe for any text', () => {
  it.each([
    ['a & b', 'a & b | !c'],
    ['| !c', 'a & b | !c'],
    ['fix:*', 'prefix:* wildcard'],
    ["'quoted'", "it's 'quoted' here"],
    ['"double"', 'say "double" twice'],
    ['\\back\\', 'C:\\Users\\back\\slash'],
    ['50%', '50% off_sale'],
    ['f_s', '50% off_sale'],
    ["'); DROP TABLE tasks; --", "'); DROP TABLE tasks; --"],
    ['-excluded', '-excluded word'],
    ['ÜBERWEISUNG', 'Überweisung für Café'],
    ['für café', 'Überweisung für Café'],
    ['οδοσ αθηνων', 'ΟΔΟΣ ΑΘΗΝΩΝ'],
    ['🚀 LAUNCH', '🚀 Launch day'],
    ['切り 東京', '締め切り 東京'],
  ])('q=%j finds exactly %j', async (q, title) => {
    const listed = await listAll(running.api, 'bob', { q });
    expect(listed.map((task) => task.title)).toEqual([title]);
  });

  it.each(['%%%', '___', '\\\\\\', '&|!', ':*:*', "'''", '""""', '.*+?^\u0024{}()[]'])(
    'q=%j, in no task, lists nothing',
    async (q) => {
      expect(await listPage(running.api, 'alice', { q })).toEqual({ items: [], next_cursor: null });
    },
  );

  it('200 characters of operators and quotes are a search like any other', async () => {
    const q = `${'&|!:*\'"\\%_()'.repeat(16)}&|!:*'"\\`.slice(0, 200);
    expect(q).toHaveLength(200);
    expect(await listPage(running.api, 'alice', { q })).toEqual({ items: [], next_cursor: null });
  });

  it('the tasks are intact after every search above', async () => {
    const client = new pg.Client({ connectionString: running.api.database.url });
    await client.connect();
    try {
      const { rows: counted } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks');
      expect(counted[0]?.n).toBe(rows.length);
    } finally {
      await client.end();
    }
  });
});
