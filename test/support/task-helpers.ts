/**
 * Helpers shared by the `/tasks` integration tests: create tasks through the
 * API (or, for exact timestamps, straight into the test database), walk every
 * page of a listing, and check the shape of problem+json answers.
 */
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task, TaskStatus } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type ProblemJson, type RunningApi } from './api-harness.ts';
import { TEST_USERS, type TestUser } from './oidc-fixture.ts';

export type { Task, TaskPage };

/** The `sub` of a test user: what the API stores as `owner_id`. */
export const subOf = (user: TestUser): string => TEST_USERS[user].sub;

/** A query string from parameters (undefined ones left out), with its leading `?`. */
export function queryOf(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Creates one task through the API and fails the test unless it is a 201. */
export async function createTask(
  api: RunningApi,
  user: TestUser,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Task> {
  const response = await api.request(user, 'POST', '/tasks', { json: body, headers });
  const task = await bodyOf<Task>(response);
  expect(response.status, JSON.stringify(task)).toBe(201);
  return task;
}

/** Runs `work` for 0..count-1 with at most `concurrency` calls in flight; results in index order. */
export async function inParallel<T>(
  count: number,
  work: (index: number) => Promise<T>,
  concurrency = 16,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** Creates `count` tasks through the API, several requests at a time. */
export function createTasks(
  api: RunningApi,
  user: TestUser,
  count: number,
  bodyFor: (index: number) => Record<string, unknown> = (index) => ({ title: `task ${index}` }),
): Promise<Task[]> {
  return inParallel(count, (index) => createTask(api, user, bodyFor(index)));
}

/** Reads a task as the admin (who sees everything): the ground truth after a refused change. */
export async function readAsAdmin(api: RunningApi, id: string): Promise<Task | undefined> {
  const response = await api.request('alice', 'GET', `/tasks/${id}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return bodyOf<Task>(response);
}

/** One page of `GET /tasks`, failing the test unless it is a 200. */
export async function listPage(
  api: RunningApi,
  user: TestUser,
  params: Record<string, string | number | undefined> = {},
): Promise<TaskPage> {
  const response = await api.request(user, 'GET', `/tasks${queryOf(params)}`);
  const page = await bodyOf<TaskPage>(response);
  expect(response.status, JSON.stringify(page)).toBe(200);
  return page;
}

/** Every task of a listing, following `next_cursor` to the last page. */
export async function listAll(
  api: RunningApi,
  user: TestUser,
  params: Record<string, string | number | undefined> = {},
): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await listPage(api, user, { limit: 100, ...params, cursor });
    tasks.push(...page.items);
    if (page.next_cursor === null) return tasks;
    cursor = page.next_cursor;
  }
  throw new Error('listing did not end');
}

type Sortable = Pick<Task, 'id' | 'created_at' | 'updated_at'>;

/** The order the API promises: by the sort key, ties broken by id, both in the sort's direction. */
export function sortedLikeApi<T extends Sortable>(tasks: T[], sort = '-created_at'): T[] {
  const key = sort.replace(/^-/, '') as 'created_at' | 'updated_at';
  const direction = sort.startsWith('-') ? -1 : 1;
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...tasks].sort((a, b) => direction * (compare(a[key], b[key]) || compare(a.id, b.id)));
}

export interface SeedTask {
  title: string;
  owner: TestUser;
  description?: string | null;
  status?: TaskStatus;
  created_at: string;
  updated_at?: string;
  due_at?: string | null;
  /** The stored rank, 0 (none) … 4 (urgent). */
  priority?: number;
  labels?: string[];
}

export type SeededTask = SeedTask & { id: string; updated_at: string };

/**
 * Inserts tasks with chosen timestamps straight into the test database (the
 * API always stamps "now"): for ties and exact time ranges. Timestamps are
 * RFC 3339 with milliseconds in UTC, as the API renders them. Returns the
 * tasks with their ids and both timestamps.
 */
export async function seedTasks(api: RunningApi, tasks: SeedTask[]): Promise<SeededTask[]> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    const seeded: SeededTask[] = [];
    for (const task of tasks) {
      const id = uuidv7();
      await client.query(
        `INSERT INTO tasks (id, title, description, status, owner_id, created_at, updated_at,
           due_at, priority, labels)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          task.title,
          task.description ?? null,
          task.status ?? 'todo',
          subOf(task.owner),
          task.created_at,
          task.updated_at ?? task.created_at,
          task.due_at ?? null,
          task.priority ?? 0,
          task.labels ?? [],
        ],
      );
      seeded.push({ ...task, id, updated_at: task.updated_at ?? task.created_at });
    }
    return seeded;
  } finally {
    await client.end();
  }
}

/** Counts rows in the test database (for "exactly one task was created"). */
export async function countTasks(api: RunningApi, where = 'true', values: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE ${where}`,
      values,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Nothing internal in an error body: no stack frames, no SQL, no driver messages. */
const INTERNAL_TEXT = [
  /\n\s+at |\(\S+:\d+:\d+\)|node_modules|\.ts:\d+/, // stack traces
  /\b(SELECT|INSERT INTO|UPDATE tasks|DELETE FROM|WHERE|ORDER BY)\b/, // SQL text
  /syntax error at|violates|duplicate key|invalid input syntax|relation "|pg_|column "/i, // driver messages
];

/**
 * Checks that a response is an RFC 9457 problem with the given status (and
 * code), with every member the contract names and nothing internal; returns it.
 */
export async function expectProblem(response: Response, status: number, code?: string): Promise<ProblemJson> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as ProblemJson;
  expect(problem).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code: expect.any(String),
    request_id: expect.any(String),
  });
  expect(problem.request_id).toBe(response.headers.get('x-request-id'));
  if (code !== undefined) expect(problem.code).toBe(code);
  for (const internal of INTERNAL_TEXT) expect(text).not.toMatch(internal);
  return problem;
}

/** A 422 whose `errors` point at the given body field (JSON pointer) or query parameter. */
export async function expectFieldError(
  response: Response,
  where: { pointer: string } | { parameter: string },
): Promise<ProblemJson> {
  const problem = await expectProblem(response, 422, 'VALIDATION_FAILED');
  expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining(where)]));
  return problem;
}

/** Every `/tasks` operation, as a request on the task `id` (a body where the operation takes one). */
export const operationsOn = (id: string) =>
  [
    ['GET', '/tasks', undefined],
    ['GET', `/tasks/${id}`, undefined],
    ['POST', '/tasks', { title: 'new' }],
    ['PUT', `/tasks/${id}`, { title: 'replaced' }],
    ['PATCH', `/tasks/${id}`, { status: 'done' }],
    ['DELETE', `/tasks/${id}`, undefined],
    ['POST', '/tasks/bulk', { tasks: [{ id }], changes: { status: 'done' } }],
  ] as const;

/** Every task row exactly as stored, read straight from the test database: the before/after of a refused request. */
export async function taskRows(api: RunningApi): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    return (await client.query('SELECT * FROM tasks ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}
