/**
 * The tasks the GET /tasks listing tests list: seeded with chosen timestamps
 * (ties, a leap second, words for q), so that the expected order is known
 * independently of the API.
 */
import { afterAll, beforeAll } from 'vitest';
import { TaskStatuses } from '../../src/modules/tasks/tasks.schemas.ts';
import { type RunningApi, startApi } from './api-harness.ts';
import { type SeededTask, seedTasks, sortedLikeApi } from './task-helpers.ts';

const BASE = Date.UTC(2024, 2, 1, 10, 0, 0);
/** `minutes` after the first seeded task's creation. */
export const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** An API with the listing's tasks seeded. */
async function startSeededListing(): Promise<{ api: RunningApi; seeded: SeededTask[] }> {
  const api = await startApi();
  const seeded = await seedTasks(api, [
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
  return { api, seeded };
}

export const ids = (tasks: { id: string }[]) => tasks.map((task) => task.id);

export interface SeededListing {
  api: RunningApi;
  seeded: SeededTask[];
  /** The ids of the seeded tasks `keep` keeps, in the order `sort` lists them. */
  expected(sort: string, keep?: (task: SeededTask) => boolean): string[];
}

/** For the calling test file: an API with the listing's tasks, started before its tests, closed after. */
export function useSeededListing(): SeededListing {
  const listing = {} as SeededListing;
  beforeAll(async () => {
    const { api, seeded } = await startSeededListing();
    const expected = (sort: string, keep: (task: SeededTask) => boolean = () => true) =>
      ids(sortedLikeApi(seeded.filter(keep), sort));
    Object.assign(listing, { api, seeded, expected });
  });
  afterAll(() => listing.api?.close());
  return listing;
}
