/**
 * The read path under load, on the real topology (`npm run stack:db`):
 * GET /tasks on a cache hit versus a cache miss, and a mixed 90/10
 * read/write run with 200 users (each reading its own tasks, any of them
 * writing), reporting where reads were served (cache, replica, primary) from
 * the API's own metrics, and the replicas' share of the database reads
 * (criterion: at least 80 %, issue 18; docs/read-path.md).
 *
 *   npm run stack:db && node --import tsx bench/read-path.ts [--seconds 10] [--tasks 20000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { seedTasks } from '../src/modules/tasks/tasks.seed.ts';
import { startOidcFixture, TEST_USERS } from '../test/support/oidc-fixture.ts';
import { freePort } from '../test/support/private-redis.ts';
import { createTopologyDatabase } from '../test/support/topology.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, tasks: { type: 'string', default: '20000' } },
});
const seconds = Number(values.seconds);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

/** The mixed run's people: 200 users, each owning some of the seeded tasks. */
const MIXED_USERS = Array.from({ length: 200 }, (_, k) => `bench-user-${String(k).padStart(3, '0')}`);

const database = await createTopologyDatabase();
const pool = new pg.Pool({ connectionString: database.url });
await seedTasks(pool, {
  count: Number(values.tasks),
  owners: 50,
  batchSize: 10_000,
  extraOwners: [...Object.values(TEST_USERS).map((user) => user.sub), ...MIXED_USERS],
});
await pool.end();
const oidc = await startOidcFixture();

const api: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  env: {
    PATH: process.env.PATH,
    PORT: String(port),
    HOST: '127.0.0.1',
    WEB_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.primaryPoolerUrl,
    DATABASE_MIGRATION_URL: database.url,
    DATABASE_REPLICA_URL: database.replicaPoolerUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}:`,
    OIDC_ISSUER: oidc.issuer,
    // The load comes from a few tokens by design: no per-caller rate limit.
    RATE_LIMIT_MAX: '0',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (let attempt = 0; ; attempt += 1) {
  if (
    await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  if (attempt > 100) throw new Error('the API did not start');
  await new Promise((resolve) => setTimeout(resolve, 200));
}

// The cache runs as alice (admin: every task).
const aliceAuth = { authorization: `Bearer ${await oidc.token('alice', { lifetimeSeconds: 3600 })}` };

async function load(title: string, options: Partial<autocannon.Options>) {
  const result = await autocannon({ url: base, connections: 64, duration: seconds, ...options });
  const line = `${title.padEnd(42)} ${Math.round(result.requests.average).toString().padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`;
  process.stdout.write(`${line}\n`);
  return result;
}

async function metric(name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const totals: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    totals[match[1] as string] = (totals[match[1] as string] ?? 0) + Number(match[2]);
  }
  return totals;
}

try {
  await load('GET /tasks, cache hit', { url: `${base}/tasks`, headers: aliceAuth });
  let n = 0;
  await load('GET /tasks, cache miss (a new key each time)', {
    headers: aliceAuth,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/tasks?created_before=2999-01-01T00:00:${String(n++ % 60).padStart(2, '0')}.${String(n % 1000).padStart(3, '0')}Z`,
        }),
      },
    ],
  });

  const before = {
    cache: await metric('tasks_cache_requests_total'),
    reads: await metric('tasks_db_reads_total'),
  };
  // Users (bob's role, each its own subject), so every listing is its caller's own tasks.
  const mixedTokens = await Promise.all(
    MIXED_USERS.map((sub) =>
      oidc.token('bob', { lifetimeSeconds: 3600, claims: { sub, preferred_username: sub } }),
    ),
  );
  const queries = ['/tasks', '/tasks?status=done', '/tasks?sort=-updated_at', '/tasks?limit=50'];
  let i = 0;
  await load(`mixed: 90% GET /tasks, 10% POST (${MIXED_USERS.length} users)`, {
    requests: [
      {
        setupRequest: (request) => {
          i += 1;
          const authorization = `Bearer ${mixedTokens[Math.floor(Math.random() * mixedTokens.length)]}`;
          if (Math.random() < 0.1) {
            return {
              ...request,
              method: 'POST',
              path: '/tasks',
              headers: { authorization, 'content-type': 'application/json' },
              body: JSON.stringify({ title: `bench ${i}` }),
            };
          }
          return {
            ...request,
            method: 'GET',
            path: queries[i % queries.length] as string,
            headers: { authorization },
            body: undefined,
          };
        },
      },
    ],
  });
  const after = {
    cache: await metric('tasks_cache_requests_total'),
    reads: await metric('tasks_db_reads_total'),
  };
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(b).map((key) => [key, (b[key] ?? 0) - (a[key] ?? 0)]));
  process.stdout.write(
    `cache lookups during the mixed run: ${JSON.stringify(delta(before.cache, after.cache))}\n`,
  );
  const reads = delta(before.reads, after.reads);
  process.stdout.write(`database reads during the mixed run: ${JSON.stringify(reads)}\n`);
  const total = Object.values(reads).reduce((sum, n) => sum + n, 0);
  const onReplicas = Object.entries(reads)
    .filter(([labels]) => labels.startsWith('target="replica"'))
    .reduce((sum, [, n]) => sum + n, 0);
  const share = total === 0 ? 0 : onReplicas / total;
  process.stdout.write(
    `- ${share >= 0.8 ? 'PASS' : 'FAIL'}: replicas served ${(100 * share).toFixed(1)} % of the mixed run's database reads (${onReplicas} of ${total}) >= 80 %\n`,
  );
} finally {
  api.kill('SIGTERM');
  await oidc.close();
  await database.drop();
}
