/**
 * The load scenarios: the requests wrk cycles through for each, with real
 * RS256 tokens of several users and roles. `cache: false` scenarios run
 * against an API started with the cache off (CACHE_TTL_SECONDS=0).
 */
import type { Dataset } from './lib/dataset.ts';
import type { Request } from './lib/wrk.ts';

export interface Tokens {
  admin: string;
  viewer: string;
  /** Users with role `user`, each owning tasks of the dataset. */
  users: { sub: string; token: string }[];
}

export interface Scenario {
  name: string;
  description: string;
  cache: boolean;
  connections?: number;
  timeoutSeconds?: number;
  /** The pgbench script measuring the same SQL. */
  databaseCeiling?: string;
  requests(data: Dataset, tokens: Tokens): Request[];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (path: string, token: string): Request => ({ method: 'GET', path, headers: bearer(token) });
const json = (method: string, path: string, token: string, body: unknown): Request => ({
  method,
  path,
  headers: { ...bearer(token), 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const some = <T>(items: T[], n: number) => items.slice(0, Math.min(n, items.length));

export const SCENARIOS: Scenario[] = [
  {
    name: 'list-hit',
    description: 'GET /tasks, first page, cache hit (admin)',
    cache: true,
    requests: (_, t) => [get('/tasks', t.admin)],
  },
  {
    name: 'list-miss',
    description: 'GET /tasks, first page, cache off (admin)',
    cache: false,
    databaseCeiling: 'first-page',
    requests: (_, t) => [get('/tasks', t.admin)],
  },
  {
    name: 'cursor-deep',
    description: 'GET /tasks?cursor= at depth 500,000, cache off',
    cache: false,
    requests: (d, t) => [get(`/tasks?cursor=${encodeURIComponent(d.deepCursor)}`, t.admin)],
  },
  {
    name: 'skip-deep',
    description: 'GET /tasks?skip=500000, cache off (the documented slow path)',
    cache: false,
    connections: 4,
    timeoutSeconds: 30,
    databaseCeiling: 'skip-500000',
    requests: (_, t) => [get('/tasks?skip=500000', t.admin)],
  },
  {
    name: 'filter-status',
    description: 'GET /tasks?status=in_progress, cache off',
    cache: false,
    requests: (_, t) => [get('/tasks?status=in_progress', t.admin), get('/tasks?status=todo,done', t.viewer)],
  },
  {
    name: 'filter-owner',
    description: 'GET /tasks as 200 different users (their own tasks), cache off',
    cache: false,
    requests: (_, t) => some(t.users, 200).map((user) => get('/tasks', user.token)),
  },
  {
    name: 'search-q',
    description: 'GET /tasks?q=<word>, cache off',
    cache: false,
    requests: (_, t) => ['report', 'cache', 'deploy', 'invoice'].map((q) => get(`/tasks?q=${q}`, t.admin)),
  },
  {
    name: 'get-by-id',
    description: 'GET /tasks/{id}, 100,000 different ids (admin)',
    cache: true,
    databaseCeiling: 'row-by-id',
    requests: (d, t) => d.sampleIds.map((id) => get(`/tasks/${id}`, t.admin)),
  },
  {
    name: 'post',
    description: 'POST /tasks as 200 users',
    cache: true,
    databaseCeiling: 'insert',
    requests: (_, t) =>
      some(t.users, 200).map((user, i) => json('POST', '/tasks', user.token, { title: `bench ${i}` })),
  },
  {
    name: 'patch',
    description: 'PATCH /tasks/{id} (admin, 10,000 ids)',
    cache: true,
    requests: (d, t) =>
      some(d.sampleIds, 10_000).map((id, i) => ({
        ...json('PATCH', `/tasks/${id}`, t.admin, { status: ['todo', 'in_progress', 'done'][i % 3] }),
        headers: { ...bearer(t.admin), 'content-type': 'application/merge-patch+json' },
      })),
  },
  {
    name: 'mixed',
    description: '90% reads (listings, tasks) / 10% writes, 200 users',
    cache: true,
    requests: (d, t) =>
      some(t.users, 200).flatMap((user, i) => [
        ...Array.from({ length: 5 }, () => get('/tasks', user.token)),
        get('/tasks?status=todo', user.token),
        get(`/tasks/${d.sampleIds[i] ?? ''}`, t.admin),
        get('/tasks', i % 2 === 0 ? t.admin : t.viewer),
        get('/tasks?sort=-updated_at', t.viewer),
        json('POST', '/tasks', user.token, { title: `mixed ${i}` }),
      ]),
  },
  {
    name: 'c500',
    description: '500 connections: listings and tasks of 200 users',
    cache: true,
    connections: 500,
    requests: (d, t) =>
      some(t.users, 200).flatMap((user, i) => [
        get('/tasks', user.token),
        get(`/tasks/${d.sampleIds[i] ?? ''}`, t.admin),
      ]),
  },
];
