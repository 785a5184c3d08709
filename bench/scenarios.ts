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
  /** Count admission control's refusals (503 + Retry-After) apart. */
  countRefusals?: boolean;
  /** The pgbench script measuring the same SQL. */
  databaseCeiling?: string;
  requests(data: Dataset, tokens: Tokens): Request[];
  /**
   * The same work asked of the seed's stack (`--peer`), which has no
   * authentication, no filters and no cursor; absent when it cannot do it.
   */
  peer?(data: Dataset): Request[];
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
const anonymous = (request: Request): Request => {
  const { authorization: _, ...headers } = request.headers;
  return { ...request, headers };
};
const plain = (path: string): Request => ({ method: 'GET', path, headers: {} });
/** The seed's stack takes no token: requests built for it carry none. */
const NO_TOKENS: Tokens = {
  admin: '',
  viewer: '',
  users: Array.from({ length: 200 }, () => ({ sub: '', token: '' })),
};
const STATUSES = ['todo', 'in_progress', 'done'] as const;

/**
 * PATCHes of 10,000 tasks' status, each task visited twice per cycle with
 * another status each time: every patch changes the task (one that changes
 * nothing writes nothing, and the first version of this scenario, one status
 * per task, measured mostly those after its first 10,000 requests).
 */
const statusPatches = (d: Dataset, headers: Record<string, string>): Request[] =>
  [0, 1].flatMap((pass) =>
    some(d.sampleIds, 10_000).map((id, i) => ({
      method: 'PATCH',
      path: `/tasks/${id}`,
      headers: { ...headers, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: STATUSES[(i + pass) % 3] }),
    })),
  );
/** The mixed load, for any caller: `user` is whose listings and creates they are. */
const mixedRequests = (d: Dataset, t: Tokens) =>
  some(t.users, 200).flatMap((user, i) => [
    ...Array.from({ length: 5 }, () => get('/tasks', user.token)),
    get('/tasks?status=todo', user.token),
    get(`/tasks/${d.sampleIds[i] ?? ''}`, t.admin),
    get('/tasks', i % 2 === 0 ? t.admin : t.viewer),
    get('/tasks?sort=-updated_at', t.viewer),
    json('POST', '/tasks', user.token, { title: `mixed ${i}` }),
  ]);

/** What `search-q` searches for, and its pgbench ceiling too. */
export const SEARCH_WORDS = ['report', 'cache', 'deploy', 'invoice'];
/** What `filter-label` asks for (labels of the seed, `npm run seed`), and its pgbench ceiling too. */
export const LABEL_FILTERS = ['backend', 'ux', 'bug,finance'];

export const SCENARIOS: Scenario[] = [
  {
    name: 'list-hit',
    description: 'GET /tasks, first page, cache hit (admin)',
    cache: true,
    requests: (_, t) => [get('/tasks', t.admin)],
    peer: () => [plain('/tasks')],
  },
  {
    name: 'list-miss',
    description: 'GET /tasks, first page, cache off (admin)',
    cache: false,
    databaseCeiling: 'first-page',
    requests: (_, t) => [get('/tasks', t.admin)],
    peer: () => [plain('/tasks')],
  },
  {
    name: 'cursor-deep',
    description: 'GET /tasks?cursor= at depth 500,000, cache off',
    cache: false,
    requests: (d, t) => [get(`/tasks?cursor=${encodeURIComponent(d.deepCursor)}`, t.admin)],
    // The seed has no cursor: depth 500,000 is reached by skip there.
    peer: () => [plain('/tasks?skip=500000')],
  },
  {
    name: 'skip-deep',
    description: 'GET /tasks?skip=500000, cache off (the documented slow path)',
    cache: false,
    connections: 4,
    timeoutSeconds: 30,
    databaseCeiling: 'skip-500000',
    requests: (_, t) => [get('/tasks?skip=500000', t.admin)],
    peer: () => [plain('/tasks?skip=500000')],
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
    description: 'GET /tasks?q=<word>, cache off (words in 23, 3.6, 3.2 and 6.7 % of the tasks)',
    cache: false,
    databaseCeiling: 'search-q',
    requests: (_, t) => SEARCH_WORDS.map((q) => get(`/tasks?q=${q}`, t.admin)),
  },
  {
    name: 'filter-label',
    description: 'GET /tasks?label=<label>, cache off (one label common, one rare, two together)',
    cache: false,
    databaseCeiling: 'label',
    requests: (_, t) => LABEL_FILTERS.map((label) => get(`/tasks?label=${label}`, t.admin)),
  },
  {
    name: 'filter-overdue',
    description: 'GET /tasks?overdue=true, cache off',
    cache: false,
    databaseCeiling: 'overdue',
    requests: (_, t) => [get('/tasks?overdue=true', t.admin)],
  },
  {
    name: 'sort-due',
    description: 'GET /tasks?sort=due_at, cache off (soonest first, no due date last)',
    cache: false,
    databaseCeiling: 'sort-due',
    requests: (_, t) => [get('/tasks?sort=due_at', t.admin)],
  },
  {
    name: 'get-by-id',
    description: 'GET /tasks/{id}, 100,000 different ids (admin)',
    cache: true,
    databaseCeiling: 'row-by-id',
    requests: (d, t) => d.sampleIds.map((id) => get(`/tasks/${id}`, t.admin)),
    peer: (d) => d.sampleIds.map((id) => plain(`/tasks/${id}`)),
  },
  {
    name: 'post',
    description: 'POST /tasks as 200 users',
    cache: true,
    databaseCeiling: 'insert',
    requests: (_, t) =>
      some(t.users, 200).map((user, i) => json('POST', '/tasks', user.token, { title: `bench ${i}` })),
    peer: () =>
      Array.from({ length: 200 }, (_, i) => anonymous(json('POST', '/tasks', '', { title: `bench ${i}` }))),
  },
  {
    name: 'patch',
    description: 'PATCH /tasks/{id} status (admin, 10,000 ids, every patch a change)',
    cache: true,
    databaseCeiling: 'update',
    requests: (d, t) => statusPatches(d, bearer(t.admin)),
    peer: (d) => statusPatches(d, {}),
  },
  {
    name: 'mixed',
    description: '90% reads (listings, tasks) / 10% writes, 200 users',
    cache: true,
    requests: mixedRequests,
    // The seed has no filters nor sorts: each listing is its first page there.
    peer: (d) =>
      mixedRequests(d, NO_TOKENS).map((request) =>
        anonymous({ ...request, path: request.path.split('?')[0] ?? '' }),
      ),
  },
  {
    name: 'c500',
    description: '500 connections: listings and tasks of 200 users',
    cache: true,
    connections: 500,
    countRefusals: true,
    requests: (d, t) =>
      some(t.users, 200).flatMap((user, i) => [
        get('/tasks', user.token),
        get(`/tasks/${d.sampleIds[i] ?? ''}`, t.admin),
      ]),
    peer: (d) =>
      Array.from({ length: 200 }, (_, i) => [
        plain('/tasks'),
        plain(`/tasks/${d.sampleIds[i] ?? ''}`),
      ]).flat(),
  },
];
