/**
 * The live stream under load (issue 16): the same write load (POST /tasks
 * from 200 users, as fast as they go) on one API process, with no stream
 * open and with 2,000 streams open (each user in 10 tabs) in turn, ending
 * with no stream open: alone, streams, alone, streams, alone for two
 * rounds, so that a drift over the run (the table growing, autovacuum, a
 * checkpoint) falls on both sides alike and one noisy run does not decide
 * the ratio; then a steady 100 writes/s with the streams open. For each event,
 * how long it took from its commit (`occurred_at`) to each stream that may
 * see it. The background work runs in a worker of its own (RabbitMQ under a
 * prefix of the run's), as in the topology, so the API process serves the
 * requests and the streams only. Criteria: writes keep at least 0.8x their
 * throughput; delivery p99 under 250 ms; every event reaches every stream
 * of its owner.
 *
 *   npm run bench:stream [-- --seconds 10 --streams 2000 --users 200 --rounds 2]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startOidcFixture } from '../test/support/oidc-fixture.ts';
import { freePort } from '../test/support/private-redis.ts';
import { connectTestBroker, TEST_AMQP_URL, TEST_RETRY_BASE_MS } from '../test/support/rabbitmq.ts';
import { createTestDatabase } from '../test/support/test-database.ts';
import { sampleUsage, startProcess } from './lib/processes.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    streams: { type: 'string', default: '2000' },
    users: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const streamCount = Number(values.streams);
const users = Array.from(
  { length: Number(values.users) },
  (_, k) => `stream-user-${String(k).padStart(3, '0')}`,
);
const say = (line: string) => process.stdout.write(`${line}\n`);
const LOG_DIR = new URL('.data/stream-logs', import.meta.url).pathname;
await rm(LOG_DIR, { recursive: true, force: true });

const database = await createTestDatabase();
const oidc = await startOidcFixture();
const broker = await connectTestBroker();
const port = await freePort();
const workerMetricsPort = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DATABASE_URL: database.url,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `bench-stream-${randomBytes(4).toString('hex')}:`,
  AMQP_URL: TEST_AMQP_URL,
  AMQP_QUEUE_PREFIX: broker.prefix,
  WORKER_RETRY_BASE_MS: String(TEST_RETRY_BASE_MS),
  WORKER_METRICS_PORT: String(workerMetricsPort),
  DIGEST_SEND_AT: 'off',
  // The API's and the worker's logs of the last run: a warning there (a failed batch, a retry) explains a delay.
  LOG_DIR: LOG_DIR,
};
const worker = await startProcess(
  ['--import', 'tsx', 'src/worker.ts'],
  env,
  `http://127.0.0.1:${workerMetricsPort}/healthz`,
);
const api = await startProcess(
  ['--import', 'tsx', 'src/server.ts'],
  {
    ...env,
    PORT: String(port),
    WEB_CONCURRENCY: '1',
    OIDC_ISSUER: oidc.issuer,
    // The load comes from a few tokens by design: no per-caller rate limit.
    RATE_LIMIT_MAX: '0',
  },
  `${base}/readyz`,
);

const tokens = await Promise.all(
  users.map((sub) => oidc.token('bob', { lifetimeSeconds: 3600, claims: { sub, preferred_username: sub } })),
);

/** POST /tasks as random users for `seconds` (at `rate` a second, else at full speed): creates per second, and the run's line. */
async function writes(title: string, rate?: number): Promise<{ perSecond: number; line: string }> {
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: 32,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          return {
            ...request,
            method: 'POST',
            path: '/tasks',
            headers: {
              authorization: `Bearer ${tokens[n % tokens.length]}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ title: `stream bench ${n}` }),
          };
        },
      },
    ],
  });
  const perSecond = result['2xx'] / seconds;
  const line = `${title.padEnd(38)} ${Math.round(perSecond).toString().padStart(6)} writes/s  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}`;
  say(line);
  return { perSecond, line };
}

/** Each process's CPU share over what the returned function ends, as `API 95 %, stream clients 31 %`. */
async function cpuOfProcesses(pids: Record<string, number | undefined>): Promise<() => Promise<string>> {
  const samplers = await Promise.all(
    Object.entries(pids).map(
      async ([name, pid]) => [name, pid ? await sampleUsage(pid) : undefined] as const,
    ),
  );
  return async () => {
    const parts = [];
    for (const [name, stop] of samplers)
      if (stop) parts.push(`${name} ${Math.round((await stop()).cpuPercent)} %`);
    return parts.join(', ');
  };
}

/** The distinct warnings and errors the API and the worker logged (LOG_DIR), with how often each. */
async function loggedWarnings(): Promise<string[]> {
  const seen = new Map<string, number>();
  for (const file of await readdir(LOG_DIR).catch(() => [])) {
    for (const line of (await readFile(`${LOG_DIR}/${file}`, 'utf8')).split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line) as {
        level: number;
        name?: string;
        msg?: string;
        err?: { message?: string };
      };
      if (entry.level < 40) continue;
      const text = `${entry.name}: ${entry.msg}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
      seen.set(text, (seen.get(text) ?? 0) + 1);
    }
  }
  return [...seen].map(([text, count]) => `${text} ×${count}`);
}

interface StreamReport {
  events: number;
  p50: number;
  p99: number;
  max: number;
  open: number;
  dropped: number;
}

try {
  await writes('warm-up');
  const clients = fork(new URL('./lib/stream-clients.ts', import.meta.url).pathname, {
    execArgv: ['--import', 'tsx'],
  });
  const perUser = Math.ceil(streamCount / users.length);
  const streamTokens = users
    .flatMap((_, k) => Array.from({ length: perUser }, () => tokens[k]))
    .slice(0, streamCount);
  /** Opens the streams (each user in `perUser` of them); how many are open. */
  const openStreams = async () => {
    clients.send({ kind: 'open', base, tokens: streamTokens });
    const [opened] = (await once(clients, 'message')) as [{ open: number }];
    return opened.open;
  };
  const closeStreams = async () => {
    clients.send({ kind: 'close' });
    await once(clients, 'message');
  };

  /** The write load with no stream open, with the API's and the worker's CPU on its line. */
  const alone = async (title: string) => {
    const usage = await cpuOfProcesses({ API: api.child.pid, worker: worker.child.pid });
    const run = await writes(title);
    return { ...run, line: `${run.line}  CPU ${await usage()}` };
  };
  /** The write load with the streams measuring; their report once the last events arrived. */
  const measured = async (title: string, rate?: number) => {
    clients.send({ kind: 'measure' });
    const tasksBefore = await countTasks();
    const usage = await cpuOfProcesses({
      API: api.child.pid,
      'stream clients': clients.pid,
      worker: worker.child.pid,
    });
    const run = await writes(title, rate);
    const cpu = await usage();
    // Counted once the last events arrived: requests still in flight when the load stops
    // commit after it, and their events are delivered (and counted) too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const expected = ((await countTasks()) - tasksBefore) * perUser;
    clients.send({ kind: 'report' });
    const [report] = (await once(clients, 'message')) as [StreamReport];
    return { ...run, expected, report, line: `${run.line}  CPU ${cpu}` };
  };

  const alones: Awaited<ReturnType<typeof alone>>[] = [];
  const saturated: Awaited<ReturnType<typeof measured>>[] = [];
  let opened = 0;
  for (let round = 1; round <= rounds; round += 1) {
    alones.push(await alone(`writes, no stream open (${round})`));
    opened = await openStreams();
    saturated.push(await measured(`writes, ${opened} streams open (${round})`));
    await closeStreams();
  }
  alones.push(await alone(`writes, no stream open (${rounds + 1})`));
  opened = await openStreams();
  const paced = await measured(`100 writes/s, ${opened} streams open`, 100);
  clients.send({ kind: 'stop' });

  const mean = (runs: { perSecond: number }[]) =>
    runs.reduce((sum, run) => sum + run.perSecond, 0) / runs.length;
  const ratio = mean(saturated) / mean(alones);
  const worstP99 = Math.max(...saturated.map((run) => run.report.p99));
  const delivered = (run: (typeof saturated)[number]) =>
    `${run.report.events} of ${run.expected} events delivered, streams dropped: ${run.report.dropped}; ` +
    `from commit to client p50 ${run.report.p50} ms, p99 ${run.report.p99} ms, max ${run.report.max} ms`;
  const complete = [...saturated, paced].every(
    (run) => run.report.events === run.expected && run.report.dropped === 0,
  );
  const runsInOrder = [alones[0], ...saturated.flatMap((run, k) => [run, alones[k + 1]]), paced];
  const warnings = await loggedWarnings();
  const lines = [
    `# Live stream benchmark (${new Date().toISOString()})`,
    '',
    `One API process (WEB_CONCURRENCY=1), the background work in a worker of its own (RabbitMQ), Redis fan-out, ${users.length} users writing, each in ${perUser} streams; ${seconds} s per run, 32 connections; stream clients in a process of their own. CPU of ${availableParallelism() * 100} % on this machine.`,
    '',
    'The runs, in order:',
    '',
    '```',
    ...runsInOrder.map((run) => run?.line),
    '```',
    '',
    `- writes at full speed, no stream open: ${Math.round(mean(alones))}/s (mean of ${alones.length} runs)`,
    `- writes at full speed, ${opened} streams open: ${Math.round(mean(saturated))}/s (mean of ${saturated.length} runs, ${ratio.toFixed(2)}x)`,
    ...saturated.map((run, k) => `  - run ${k + 1}: ${delivered(run)}`),
    `- 100 writes/s, ${opened} streams open: ${delivered(paced)}`,
    '',
    `- ${ratio >= 0.8 ? 'PASS' : 'FAIL'}: writes keep ${ratio.toFixed(2)}x their throughput with the streams open (>= 0.8x)`,
    `- ${paced.report.p99 < 250 ? 'PASS' : 'FAIL'}: delivery p99 at 100 writes/s ${paced.report.p99} ms (< 250 ms)`,
    `- ${worstP99 < 250 ? 'PASS' : 'FAIL'}: delivery p99 with the API saturated by writes ${worstP99} ms, the worse run's (< 250 ms)`,
    `- ${complete ? 'PASS' : 'FAIL'}: every event reached every stream that may see it, none dropped`,
    `- ${warnings.length === 0 ? 'PASS' : 'FAIL'}: the API and the worker logged no warning or error${warnings.length === 0 ? '' : `: ${warnings.join('; ')}`}`,
    '',
  ];
  say(lines.join('\n'));
  await writeFile(new URL('./results/latest-stream.md', import.meta.url), lines.join('\n'));
} finally {
  await api.stop();
  await worker.stop();
  await broker.close();
  await oidc.close();
  await database.drop();
}

async function countTasks(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks');
  await client.end();
  return rows[0]?.n ?? 0;
}
