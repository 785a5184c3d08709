/**
 * Tasks for the listing by due date, priority and labels: due dates in the
 * past and the future (around the real now, days away, so `overdue` is
 * stable during a run), ties of due date and of priority, tasks without a due
 * date, the extreme instants PostgreSQL stores, labels in several cases. The
 * expected orders and filters are computed here, independently of the API.
 */
import { afterAll, beforeAll } from 'vitest';
import { TaskPriorities, type TaskStatus } from '../../src/modules/tasks/tasks.schemas.ts';
import { type RunningApi, startApi } from './api-harness.ts';
import { type SeededTask, seedTasks } from './task-helpers.ts';

const DAY = 86_400_000;
const NOW = Date.now();
/** `days` from now (negative: ago), to the millisecond as stored. */
export const dueIn = (days: number) => new Date(NOW + days * DAY).toISOString();

type Plan = [
  title: string,
  owner: 'bob' | 'dave',
  status: TaskStatus,
  due: string | null,
  rank: number,
  labels: string[],
];
// biome-ignore format: a table reads better one task a line
const PLANS: Plan[] = [
  ['past a', 'bob', 'todo', dueIn(-3), 4, ['Finance', 'q3']],
  ['past tie b', 'bob', 'in_progress', dueIn(-3), 4, ['finance']],
  ['past tie c', 'dave', 'todo', dueIn(-3), 2, ['FINANCE', 'Legal']],
  ['past done', 'bob', 'done', dueIn(-5), 3, ['q3']],
  ['past d', 'dave', 'todo', dueIn(-10), 0, []],
  ['ancient', 'bob', 'todo', '0001-01-01T00:00:00.000Z', 1, ['ops']],
  ['future a', 'bob', 'todo', dueIn(2), 1, ['legal', 'Q3']],
  ['future tie b', 'dave', 'todo', dueIn(2), 1, ['q3']],
  ['future tie c', 'bob', 'done', dueIn(2), 3, ['Finance', 'legal', 'q3']],
  ['future far', 'dave', 'in_progress', dueIn(30), 2, ['ops']],
  ['last instant', 'dave', 'todo', '9999-12-31T23:59:59.999Z', 3, []],
  ['no due 1', 'bob', 'todo', null, 0, ['finance']],
  ['no due 2', 'dave', 'done', null, 4, []],
  ['no due 3', 'bob', 'in_progress', null, 2, ['Q3', 'ops']],
  ['no due 4', 'dave', 'todo', null, 2, ['legal']],
  ['no due 5', 'bob', 'todo', null, 0, []],
  ['no due 6', 'bob', 'done', null, 4, ['finance', 'Q3']],
];

export type PlannedTask = SeededTask & { due_at: string | null; priority: number; labels: string[] };

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The order the API promises for the sorts by due date and priority (tasks without a due date last). */
export function sortedPlanned(tasks: PlannedTask[], sort: string): PlannedTask[] {
  const direction = sort.startsWith('-') ? -1 : 1;
  const byKey = sort.endsWith('due_at')
    ? (a: PlannedTask, b: PlannedTask) =>
        a.due_at === null || b.due_at === null
          ? Number(a.due_at === null) - Number(b.due_at === null)
          : direction * compare(a.due_at, b.due_at)
    : (a: PlannedTask, b: PlannedTask) => direction * compare(a.priority, b.priority);
  return [...tasks].sort((a, b) => byKey(a, b) || direction * compare(a.id, b.id));
}

/** Overdue as the contract says: due before now and not done. */
export const isOverdue = (task: PlannedTask) =>
  task.due_at !== null && Date.parse(task.due_at) < Date.now() && task.status !== 'done';

export const hasLabels = (task: PlannedTask, labels: string[]) =>
  labels.every((label) => task.labels.some((own) => own.toLowerCase() === label.toLowerCase()));

export const rankOf = (word: string) => TaskPriorities.indexOf(word as (typeof TaskPriorities)[number]);

export interface PlannedListing {
  api: RunningApi;
  tasks: PlannedTask[];
}

/** For the calling test file: an API with these tasks, started before its tests, closed after. */
export function usePlannedListing(): PlannedListing {
  const listing = {} as PlannedListing;
  beforeAll(async () => {
    const api = await startApi();
    const seeded = await seedTasks(
      api,
      PLANS.map(([title, owner, status, due_at, priority, labels], i) => ({
        title,
        owner,
        status,
        due_at,
        priority,
        labels,
        created_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      })),
    );
    Object.assign(listing, { api, tasks: seeded as PlannedTask[] });
  });
  afterAll(() => listing.api?.close());
  return listing;
}
