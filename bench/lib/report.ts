/**
 * The bench's results: each scenario against its ceilings (bare node:http
 * for the HTTP stack, pgbench on the same SQL for the database), the
 * issue's pass criteria, and the table in Markdown. Pure functions, so they
 * are unit-tested.
 */
import type { LoadResult } from './wrk.ts';

export interface ProcessUsage {
  /** CPU of all API processes together, in % of one core. */
  cpuPercent: number;
  /** Highest RSS seen per API process, MiB. */
  peakRssMiB: number[];
}

export interface ScenarioResult {
  name: string;
  description: string;
  load: LoadResult;
  usage?: ProcessUsage;
  /** The pgbench scenario measuring the same SQL, if any. */
  databaseCeiling?: string;
  /** The same work on the seed's stack (`--peer`), when it can do it. */
  peer?: { load: LoadResult; usage?: ProcessUsage };
}

export interface BenchRun {
  mode: string;
  tasks: number;
  processes: number;
  connections: number;
  seconds: number;
  startedAt: string;
  /** Measured in the cached phase: absent from a run of cache-off scenarios only. */
  nodeCeiling?: LoadResult;
  /** The same bare node:http at 500 connections (when c500 runs): the machine's own tail at that load. */
  nodeCeiling500?: LoadResult;
  /** pgbench transactions per second, by name. */
  pgbench: Record<string, number>;
  scenarios: ScenarioResult[];
  /** Parts of the run that failed (`phase: error`); the run went on without them. */
  failures: string[];
  /** The seed's stack: why it did not run, or what it ran on (event loop, HTTP parser). */
  peer?: { skipped?: string; runtime?: string };
}

/** Issue 18: every scenario at least this many times the seed's stack's throughput, with a lower p99. */
export const PEER_FACTOR = 5;

export interface Criterion {
  description: string;
  pass: boolean;
  detail: string;
  /** false when a scenario it judges was left out of the run (`--only`): neither PASS nor FAIL. */
  measured: boolean;
}

/** search-q's share of list-miss before issue 15: 1,900 vs 14,000 req/s. */
export const SEARCH_SHARE_BEFORE = 1_900 / 14_000;

const rps = (run: BenchRun, name: string) =>
  run.scenarios.find((s) => s.name === name)?.load.requestsPerSecond;
const fmt = (value: number | undefined, digits = 0) => (value === undefined ? 'n/a' : value.toFixed(digits));

export function databaseRatio(run: BenchRun, scenario: ScenarioResult): number | undefined {
  const ceiling = scenario.databaseCeiling ? run.pgbench[scenario.databaseCeiling] : undefined;
  return ceiling ? scenario.load.requestsPerSecond / ceiling : undefined;
}

/** The issue's "what it must show", as ratios within this one run. */
export function criteria(run: BenchRun): Criterion[] {
  const out: Criterion[] = [];
  const ratioTo = (name: string, ceiling: number | undefined, at: number, what: string) => {
    const value = rps(run, name);
    const ratio = value !== undefined && ceiling ? value / ceiling : undefined;
    out.push({
      description: `${name}: at least ${Number(at.toFixed(2))}× ${what}`,
      pass: ratio !== undefined && ratio >= at,
      detail: `${fmt(ratio, 2)}× (${fmt(value)} vs ${fmt(ceiling)} req/s)`,
      measured: value !== undefined,
    });
  };
  ratioTo('list-hit', run.nodeCeiling?.requestsPerSecond, 0.6, 'the bare node:http ceiling');
  const hit = run.scenarios.find((s) => s.name === 'list-hit');
  out.push({
    description: 'list-hit: p99 under 25 ms',
    pass: hit !== undefined && hit.load.latencyMs.p99 < 25,
    detail: `p99 ${fmt(hit?.load.latencyMs.p99, 1)} ms`,
    measured: hit !== undefined,
  });
  ratioTo('get-by-id', run.pgbench['row-by-id'], 0.3, 'pgbench row by id');
  ratioTo('list-miss', run.pgbench['first-page'], 0.5, 'pgbench first page');
  ratioTo('post', run.pgbench.insert, 0.7, 'pgbench insert');
  ratioTo('patch', run.pgbench.update, 0.4, "pgbench running the API's UPDATE");
  // Issue 15: a search at least 0.3× pgbench on its SQL, and at least 5× its share of the plain
  // listing before the issue (search-q 1,900 vs list-miss 14,000 req/s, docs/performance.md).
  ratioTo('search-q', run.pgbench['search-q'], 0.3, 'pgbench on its SQL');
  ratioTo('search-q', rps(run, 'list-miss'), 5 * SEARCH_SHARE_BEFORE, 'list-miss (5× its 0.136× before)');
  ratioTo('filter-label', run.pgbench.label, 0.3, 'pgbench on its SQL');
  ratioTo('filter-overdue', run.pgbench.overdue, 0.3, 'pgbench on its SQL');
  ratioTo('sort-due', run.pgbench['sort-due'], 0.3, 'pgbench on its SQL');
  const first = rps(run, 'list-miss');
  const deep = rps(run, 'cursor-deep');
  out.push({
    description: 'cursor-deep: within 20% of the first page (cache off)',
    pass: first !== undefined && deep !== undefined && deep >= 0.8 * first,
    detail: `${fmt(deep)} vs ${fmt(first)} req/s`,
    measured: first !== undefined && deep !== undefined,
  });
  const c500 = run.scenarios.find((s) => s.name === 'c500');
  const peaks = c500?.usage?.peakRssMiB ?? [];
  const peak = peaks.length > 0 ? Math.max(...peaks) : undefined;
  out.push({
    description: 'c500: every API process under 200 MB RSS',
    pass: peak !== undefined && peak < 200,
    detail: `peak ${fmt(peak)} MiB`,
    measured: c500 !== undefined,
  });
  for (const s of run.scenarios) {
    if (!s.peer) continue;
    const answered = s.peer.load.requestsPerSecond > 0;
    if (!answered) {
      // Nothing to divide by: the seed's stack cannot serve the scenario (a depth it reaches only by skip).
      out.push({
        description: `${s.name}: at least ${PEER_FACTOR}× the seed's stack, p99 lower`,
        pass: s.load.requestsPerSecond > 0,
        detail: `the seed's stack answered no request in the run (${fmt(s.load.requestsPerSecond)} req/s here)`,
        measured: true,
      });
      continue;
    }
    const ratio = s.load.requestsPerSecond / s.peer.load.requestsPerSecond;
    out.push({
      description: `${s.name}: at least ${PEER_FACTOR}× the seed's stack, p99 lower`,
      pass: ratio >= PEER_FACTOR && s.load.latencyMs.p99 < s.peer.load.latencyMs.p99,
      detail: `${fmt(ratio, 2)}× (${fmt(s.load.requestsPerSecond)} vs ${fmt(s.peer.load.requestsPerSecond)} req/s), p99 ${fmt(s.load.latencyMs.p99, 1)} vs ${fmt(s.peer.load.latencyMs.p99, 1)} ms`,
      measured: true,
    });
  }
  out.push({
    description: 'c500: p99 under 250 ms (refusals, 503 with Retry-After, included)',
    pass: c500 !== undefined && c500.load.latencyMs.p99 < 250,
    detail: `p99 ${fmt(c500?.load.latencyMs.p99, 1)} ms, ${fmt(c500?.load.refused ?? 0)} refused of ${fmt(c500?.load.requests)}${run.nodeCeiling500 ? ` (bare node:http at 500 connections: p99 ${fmt(run.nodeCeiling500.latencyMs.p99, 1)} ms)` : ''}`,
    measured: c500 !== undefined,
  });
  // Admission control's refusals are the answer it is meant to give under overload, not errors.
  const failing = run.scenarios
    .filter((s) => s.load.errors - (s.load.refused ?? 0) > 0)
    .map((s) => `${s.name} ${s.load.errors - (s.load.refused ?? 0)}`);
  const refusing = run.scenarios.filter((s) => s.load.refused).map((s) => `${s.name} ${s.load.refused}`);
  out.push({
    description: 'no error responses in any scenario (503 refusals with Retry-After apart)',
    pass: failing.length === 0,
    detail: `${failing.length === 0 ? 'none' : failing.join(', ')}${refusing.length > 0 ? `; refused: ${refusing.join(', ')}` : ''}`,
    measured: true,
  });
  out.push({
    description: 'every phase of the run completed',
    pass: run.failures.length === 0,
    detail: run.failures.length === 0 ? 'all' : run.failures.join('; '),
    measured: true,
  });
  return out;
}

export function markdownReport(run: BenchRun): string {
  const header =
    '| scenario | req/s | p50 ms | p99 ms | max ms | errors | API CPU % | peak RSS MiB | × node ceiling | × pgbench | × seed (its req/s, p99 ms) |';
  const rows = run.scenarios.map((s) => {
    const dbRatio = databaseRatio(run, s);
    const peer = s.peer
      ? `${fmt(s.load.requestsPerSecond / s.peer.load.requestsPerSecond, 2)} (${fmt(s.peer.load.requestsPerSecond)}, ${fmt(s.peer.load.latencyMs.p99, 1)})`
      : '';
    return `| ${s.name} | ${fmt(s.load.requestsPerSecond)} | ${fmt(s.load.latencyMs.p50, 2)} | ${fmt(s.load.latencyMs.p99, 2)} | ${fmt(s.load.latencyMs.max, 1)} | ${s.load.errors} | ${fmt(s.usage?.cpuPercent)} | ${s.usage?.peakRssMiB.map((m) => fmt(m)).join(' / ') ?? 'n/a'} | ${run.nodeCeiling ? fmt(s.load.requestsPerSecond / run.nodeCeiling.requestsPerSecond, 2) : ''} | ${dbRatio === undefined ? '' : `${fmt(dbRatio, 2)} (${s.databaseCeiling})`} | ${peer} |`;
  });
  const baselines = [
    ...(run.nodeCeiling
      ? [
          `| node:http ceiling (${run.processes} processes, same page) | ${fmt(run.nodeCeiling.requestsPerSecond)} req/s, p99 ${fmt(run.nodeCeiling.latencyMs.p99, 2)} ms |`,
        ]
      : []),
    ...(run.nodeCeiling500
      ? [
          `| node:http ceiling at 500 connections | ${fmt(run.nodeCeiling500.requestsPerSecond)} req/s, p99 ${fmt(run.nodeCeiling500.latencyMs.p99, 2)} ms |`,
        ]
      : []),
    ...Object.entries(run.pgbench).map(([name, tps]) => `| pgbench ${name} | ${fmt(tps)} tps |`),
  ];
  const checks = criteria(run).map((c) =>
    c.measured
      ? `- ${c.pass ? 'PASS' : 'FAIL'} ${c.description}: ${c.detail}`
      : `- NOT RUN ${c.description} (its scenario was left out of this run)`,
  );
  return [
    `# Benchmark ${run.startedAt} (${run.mode})`,
    '',
    `${run.tasks.toLocaleString('en')} tasks, ${run.processes} API processes, wrk -t1 -c${run.connections} -d${run.seconds}s on loopback.`,
    '',
    run.peer?.runtime
      ? `Seed's stack (FastAPI + Uvicorn with 2 workers on ${run.peer.runtime}, asyncpg, Redis cache-aside; no authentication) on the same rows, same connections.`
      : `Seed's stack (FastAPI + Uvicorn, bench/peer/): ${run.peer?.skipped ?? 'not asked for (--peer)'}.`,
    '',
    '| baseline | figure |',
    '|---|---|',
    ...baselines,
    '',
    header,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...checks,
    '',
  ].join('\n');
}
