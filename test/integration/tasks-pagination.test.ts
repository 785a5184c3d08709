/**
 * Keyset pagination under concurrent writes: while one client walks every
 * page with `cursor`, others keep creating tasks. Every task that existed
 * before the walk started is returned exactly once, in the promised order,
 * and no id appears twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import {
  createTask,
  createTasks,
  listPage,
  sortedLikeApi,
  type Task,
  type TaskPage,
} from '../support/task-helpers.ts';

const SEEDED = 300;
const PAGE_SIZE = 7;

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
  await createTasks(api, 'bob', SEEDED / 2, (i) => ({ title: `bob seed ${i}` }));
  await createTasks(api, 'dave', SEEDED / 2, (i) => ({ title: `dave seed ${i}` }));
}, 120_000);
afterAll(() => api?.close());

interface Walk {
  seen: string[];
  pages: TaskPage[];
  createdDuringWalk: Task[];
}

/**
 * Walks every page of a listing as `reader` while `writers` clients create
 * tasks in a loop (one request in flight each) until the walk ends.
 */
async function walkWhileCreating(
  reader: TestUser,
  params: Record<string, string>,
  writers: TestUser[],
): Promise<Walk> {
  let walking = true;
  const createdDuringWalk: Task[] = [];
  const writing = writers.map(async (writer, w) => {
    for (let i = 0; walking; i++) {
      createdDuringWalk.push(await createTask(api, writer, { title: `concurrent ${w}-${i}` }));
    }
  });
  const pages: TaskPage[] = [];
  try {
    let cursor: string | undefined;
    do {
      // Let the writers get some requests in between pages.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const page = await listPage(api, reader, { ...params, limit: PAGE_SIZE, cursor });
      pages.push(page);
      cursor = page.next_cursor ?? undefined;
      if (pages.length > 1_000) throw new Error('the walk does not end');
    } while (cursor);
  } finally {
    walking = false;
    await Promise.all(writing);
  }
  return { seen: pages.flatMap((page) => page.items.map((task) => task.id)), pages, createdDuringWalk };
}

function expectEveryExistingTaskOnceInOrder(walk: Walk, before: Task[], sort: string) {
  const seenOnce = new Set(walk.seen);
  expect(walk.seen.length, 'an id was repeated').toBe(seenOnce.size);
  const missing = before.filter((task) => !seenOnce.has(task.id));
  expect(
    missing.map((task) => task.title),
    'tasks skipped by the walk',
  ).toEqual([]);
  const known = new Set([...before, ...walk.createdDuringWalk].map((task) => task.id));
  expect(
    walk.seen.filter((id) => !known.has(id)),
    'ids nobody created',
  ).toEqual([]);
  const beforeIds = new Set(before.map((task) => task.id));
  expect(walk.seen.filter((id) => beforeIds.has(id))).toEqual(sortedLikeApi(before, sort).map((t) => t.id));
  expect(walk.pages.at(-1)?.next_cursor).toBeNull();
  expect(walk.pages.slice(0, -1).every((page) => page.items.length === PAGE_SIZE)).toBe(true);
}

/** What the reader could see when the walk started: every task for an admin, their own for a user. */
async function snapshot(reader: TestUser): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let skip = 0; ; skip += 100) {
    const page = await listPage(api, reader, { skip, limit: 100 });
    tasks.push(...page.items);
    if (page.items.length < 100) return tasks;
  }
}

describe('cursor pagination while tasks are being created', () => {
  it.each(['-created_at', 'created_at', '-updated_at', 'updated_at'])(
    'an admin walking sort=%s with limit 7 sees every earlier task exactly once',
    async (sort) => {
      const before = await snapshot('alice');
      expect(before.length).toBeGreaterThanOrEqual(SEEDED);
      const walk = await walkWhileCreating('alice', { sort }, ['bob', 'dave', 'alice']);
      expect(walk.createdDuringWalk.length).toBeGreaterThan(0);
      expectEveryExistingTaskOnceInOrder(walk, before, sort);
    },
  );

  it('a user walking their own tasks while they and others create more sees each earlier one exactly once', async () => {
    const before = await snapshot('bob');
    const walk = await walkWhileCreating('bob', { sort: '-created_at' }, ['bob', 'dave']);
    expectEveryExistingTaskOnceInOrder(walk, before, '-created_at');
    const owners = new Set(walk.pages.flatMap((page) => page.items.map((task) => task.owner_id)));
    expect([...owners]).toEqual([before[0]?.owner_id]);
  });

  it('a walk in ascending order also reaches tasks created during the walk, each once', async () => {
    const before = await snapshot('alice');
    const walk = await walkWhileCreating('alice', { sort: 'created_at' }, ['bob']);
    expectEveryExistingTaskOnceInOrder(walk, before, 'created_at');
    // The walk only ends on a page that is not full, so it caught up with the writer at some point.
    expect(walk.seen.length).toBeGreaterThanOrEqual(before.length);
  });
});
