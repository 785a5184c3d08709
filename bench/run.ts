/**
 * `npm run bench`: prepares the dataset, measures the ceilings (bare
 * node:http with the API's process count serving the same page; pgbench on
 * the same SQL), then loads the API scenario by scenario with wrk from a
 * separate process, and prints and writes the table (bench/results/).
 *
 *   npm run bench [-- --tasks 1000000 | --ten-million] [--seconds 10] [--connections 64]
 *                 [--workers 2] [--only list-hit,post] [--peer]
 *
 * `--peer` also loads the seed's own stack (bench/peer/, FastAPI + Uvicorn)
 * with the same work on the same rows, each scenario then a ratio to it too.
 *
 * Mode: the compiled API (`npm run build`) as the embedded system (PostgreSQL from the npm binaries, in-process
 * cache with generations through the cluster primary, no replica), with
 * tokens from a local signing issuer so that many users can be simulated.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { startOidcFixture } from '../test/support/oidc-fixture.ts';
import { freePort } from '../test/support/private-redis.ts';
import { prepareDataset } from './lib/dataset.ts';
import { peerAvailability, startPeer } from './lib/peer.ts';
import { runPgbench } from './lib/pgbench.ts';
import { sampleUsage, startProcess } from './lib/processes.ts';
import { type BenchRun, criteria, markdownReport, type ScenarioResult } from './lib/report.ts';
import { type Request, runWrk } from './lib/wrk.ts';
import { SCENARIOS, type Scenario, type Tokens } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000000' },
    'ten-million': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string', default: String(availableParallelism()) },
    only: { type: 'string' },
    peer: { type: 'boolean', default: false },
  },
});
const tasks = values['ten-million'] ? 10_000_000 : Number(values.tasks);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const workers = Number(values.workers);
const selected = SCENARIOS.filter((s) => !values.only || values.only.split(',').includes(s.name));
const log = (line: string) => process.stdout.write(`${line}\n`);
const peerCheck = await peerAvailability();
const peerSkipped = !values.peer
  ? 'not asked for (--peer)'
  : peerCheck.missing && `skipped: ${peerCheck.missing}`;
if (values.peer)
  log(peerSkipped ? `Seed's stack ${peerSkipped}` : `Seed's stack: Uvicorn on ${peerCheck.runtime}`);

// The API runs as it does in production: compiled, without the TypeScript loader.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
const data = await prepareDataset(tasks, await freePort());
if (!data.deepCursor) log('Fewer than 500,000 tasks: cursor-deep is left out.');
const runnable = selected.filter((s) => s.name !== 'cursor-deep' || data.deepCursor);
const oidc = await startOidcFixture();
const tokenOf = (claims: Record<string, unknown>) =>
  oidc.token('bob', { claims: { ...claims }, lifetimeSeconds: 4 * 3600 });
const tokens: Tokens = {
  admin: await oidc.token('alice', { lifetimeSeconds: 4 * 3600 }),
  viewer: await oidc.token('carol', { lifetimeSeconds: 4 * 3600 }),
  users: await Promise.all(
    data.owners
      .slice(5, 205)
      .map(async (sub) => ({ sub, token: await tokenOf({ sub, preferred_username: sub }) })),
  ),
};

/** The API's data folder: the `.eml` files its in-process worker writes, one per created task. */
const API_DATA_DIR = new URL('.data/api', import.meta.url).pathname;
// A run's e-mails are of no use to the next one (a run writes ~100,000).
await rm(API_DATA_DIR, { recursive: true, force: true });

async function startApi(cache: boolean) {
  const port = await freePort();
  const api = await startProcess(
    ['dist/server.js'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: String(workers),
      DATABASE_URL: data.url,
      // The bench's database has no other writer: generations through the cluster primary, as embedded.
      CACHE_GENERATIONS: 'cluster',
      CACHE_TTL_SECONDS: cache ? '300' : '0',
      DATABASE_PREPARED_STATEMENTS: 'true',
      OIDC_ISSUER: oidc.issuer,
      // The load comes from a few tokens by design: no per-caller rate limit.
      RATE_LIMIT_MAX: '0',
      DATA_DIR: API_DATA_DIR,
    },
    `http://127.0.0.1:${port}/readyz`,
  );
  return { api, url: `http://127.0.0.1:${port}` };
}

const run: BenchRun = {
  mode: 'embedded',
  tasks,
  processes: workers,
  connections,
  seconds,
  startedAt: new Date().toISOString(),
  pgbench: {},
  scenarios: [],
  failures: [],
  peer: peerSkipped ? { skipped: peerSkipped } : { runtime: peerCheck.runtime },
};

/**
 * Runs one part of the bench; a part that fails (a restore, an API that does
 * not start, a pgbench error) is reported in the results and the run goes on,
 * so the other figures and every PASS/FAIL line are still printed.
 */
async function phase(name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    run.failures.push(`${name}: ${message}`);
    log(`FAILED ${name}: ${message}`);
  }
}

/** One scenario's load on a server: a warm-up (JIT, pools, caches), then the measured run with its CPU and memory. */
async function load(url: string, pid: number, scenario: Scenario, requests: Request[]) {
  const options = {
    url,
    requests,
    connections: scenario.connections ?? connections,
    seconds,
    timeoutSeconds: scenario.timeoutSeconds,
    countRefusals: scenario.countRefusals,
  };
  await runWrk({ ...options, seconds: 2 });
  const usage = await sampleUsage(pid);
  const result = await runWrk(options);
  return { load: result, usage: await usage() };
}

const line = (
  name: string,
  result: { requestsPerSecond: number; latencyMs: { p99: number }; errors: number },
) =>
  log(
    `${name.padEnd(14)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${result.latencyMs.p99.toFixed(1)} ms  errors ${result.errors}`,
  );

/** The same work on the seed's stack, from the seeded rows again (our writes restored away). */
async function loadPeer(scenarios: Scenario[], cache: boolean) {
  const comparable = scenarios.filter((s) => s.peer);
  if (peerSkipped || comparable.length === 0) return;
  await data.restore();
  const port = await freePort();
  const peer = await startPeer(data.url, port, cache);
  try {
    for (const scenario of comparable) {
      const measured = await load(
        `http://127.0.0.1:${port}`,
        peer.child.pid as number,
        scenario,
        scenario.peer?.(data) ?? [],
      );
      const result = run.scenarios.find((s) => s.name === scenario.name);
      if (result) result.peer = measured;
      line(`  seed ${scenario.name}`, measured.load);
    }
  } finally {
    await peer.stop();
  }
}

try {
  for (const cache of [true, false]) {
    const scenarios = runnable.filter((s) => s.cache === cache);
    if (scenarios.length === 0) continue;
    await phase(cache ? 'cached phase' : 'cache-off phase', async () => {
      await data.restore();
      const { api, url } = await startApi(cache);
      try {
        if (cache && !run.nodeCeiling) {
          // The ceiling serves byte for byte the page the API serves for the first scenario.
          const page = await (
            await fetch(`${url}/tasks`, { headers: { authorization: `Bearer ${tokens.admin}` } })
          ).text();
          const pageFile = new URL('.data/page.json', import.meta.url).pathname;
          await writeFile(pageFile, page);
          const ceilingPort = await freePort();
          const ceiling = await startProcess(
            ['--import', 'tsx', 'bench/node-ceiling.ts', String(ceilingPort), String(workers), pageFile],
            {},
            `http://127.0.0.1:${ceilingPort}/`,
          );
          const ceilingLoad = (at: number) =>
            runWrk({
              url: `http://127.0.0.1:${ceilingPort}`,
              requests: [{ method: 'GET', path: '/', headers: {} }],
              connections: at,
              seconds,
            });
          try {
            run.nodeCeiling = await ceilingLoad(connections);
            log(`node:http ceiling: ${run.nodeCeiling.requestsPerSecond.toFixed(0)} req/s`);
            // What 500 connections cost on this machine whatever serves them: c500's reference.
            if (runnable.some((s) => s.name === 'c500')) run.nodeCeiling500 = await ceilingLoad(500);
          } finally {
            await ceiling.stop();
          }
        }
        for (const scenario of scenarios) {
          const measured = await load(
            url,
            api.child.pid as number,
            scenario,
            scenario.requests(data, tokens),
          );
          const result: ScenarioResult = {
            name: scenario.name,
            description: scenario.description,
            ...measured,
          };
          if (scenario.databaseCeiling) result.databaseCeiling = scenario.databaseCeiling;
          run.scenarios.push(result);
          line(scenario.name, measured.load);
        }
      } finally {
        await api.stop();
      }
    });
    await phase(cache ? "seed's stack, cached" : "seed's stack, cache off", () => loadPeer(scenarios, cache));
  }
  for (const name of new Set(runnable.flatMap((s) => (s.databaseCeiling ? [s.databaseCeiling] : [])))) {
    const clients = name === 'skip-500000' ? 4 : connections;
    await phase(`pgbench ${name}`, async () => {
      run.pgbench[name] = await runPgbench(data.url, name, { clients, seconds });
      log(`pgbench ${name}: ${run.pgbench[name]?.toFixed(0)} tps`);
    });
  }
} finally {
  await oidc.close();
  await data.stop();
}

const report = markdownReport(run);
log(`\n${report}`);
const folder = new URL('results/', import.meta.url).pathname;
await mkdir(folder, { recursive: true });
const stamp = run.startedAt.replace(/[:.]/g, '-');
await writeFile(
  `${folder}${stamp}-${run.mode}.json`,
  `${JSON.stringify({ ...run, criteria: criteria(run) }, null, 2)}\n`,
);
await writeFile(`${folder}${stamp}-${run.mode}.md`, report);
await writeFile(`${folder}latest-${run.mode}.md`, report);
