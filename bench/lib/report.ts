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
}

export interface BenchRun {
  mode: string;
  tasks: number;
  processes: number;
  connections: number;
  seconds: number;
  startedAt: string;
  nodeCeiling: LoadResult;
  /** pgbench transactions per second, by name. */
  pgbench: Record<string, number>;
  scenarios: ScenarioResult[];
}

export interface Criterion {
  description: string;
  pass: boolean;
  detail: string;
}

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
      description: `${name}: at least ${at}× ${what}`,
      pass: ratio !== undefined && ratio >= at,
      detail: `${fmt(ratio, 2)}× (${fmt(value)} vs ${fmt(ceiling)} req/s)`,
    });
  };
  ratioTo('list-hit', run.nodeCeiling.requestsPerSecond, 0.5, 'the bare node:http ceiling');
  const hit = run.scenarios.find((s) => s.name === 'list-hit');
  out.push({
    description: 'list-hit: p99 under 25 ms',
    pass: hit !== undefined && hit.load.latencyMs.p99 < 25,
    detail: `p99 ${fmt(hit?.load.latencyMs.p99, 1)} ms`,
  });
  ratioTo('get-by-id', run.pgbench['row-by-id'], 0.3, 'pgbench row by id');
  ratioTo('list-miss', run.pgbench['first-page'], 0.3, 'pgbench first page');
  ratioTo('post', run.pgbench.insert, 0.4, 'pgbench insert');
  const first = rps(run, 'list-miss');
  const deep = rps(run, 'cursor-deep');
  out.push({
    description: 'cursor-deep: within 20% of the first page (cache off)',
    pass: first !== undefined && deep !== undefined && deep >= 0.8 * first,
    detail: `${fmt(deep)} vs ${fmt(first)} req/s`,
  });
  const c500 = run.scenarios.find((s) => s.name === 'c500');
  const peak = Math.max(0, ...(c500?.usage?.peakRssMiB ?? [Number.POSITIVE_INFINITY]));
  out.push({
    description: 'c500: every API process under 200 MB RSS',
    pass: c500 !== undefined && peak < 200,
    detail: `peak ${fmt(peak)} MiB`,
  });
  const failing = run.scenarios.filter((s) => s.load.errors > 0).map((s) => `${s.name} ${s.load.errors}`);
  out.push({
    description: 'no error responses in any scenario',
    pass: failing.length === 0,
    detail: failing.length === 0 ? 'none' : failing.join(', '),
  });
  return out;
}

export function markdownReport(run: BenchRun): string {
  const header =
    '| scenario | req/s | p50 ms | p99 ms | max ms | errors | API CPU % | peak RSS MiB | × node ceiling | × pgbench |';
  const rows = run.scenarios.map((s) => {
    const dbRatio = databaseRatio(run, s);
    return `| ${s.name} | ${fmt(s.load.requestsPerSecond)} | ${fmt(s.load.latencyMs.p50, 2)} | ${fmt(s.load.latencyMs.p99, 2)} | ${fmt(s.load.latencyMs.max, 1)} | ${s.load.errors} | ${fmt(s.usage?.cpuPercent)} | ${s.usage?.peakRssMiB.map((m) => fmt(m)).join(' / ') ?? 'n/a'} | ${fmt(s.load.requestsPerSecond / run.nodeCeiling.requestsPerSecond, 2)} | ${dbRatio === undefined ? '' : `${fmt(dbRatio, 2)} (${s.databaseCeiling})`} |`;
  });
  const baselines = [
    `| node:http ceiling (${run.processes} processes, same page) | ${fmt(run.nodeCeiling.requestsPerSecond)} req/s, p99 ${fmt(run.nodeCeiling.latencyMs.p99, 2)} ms |`,
    ...Object.entries(run.pgbench).map(([name, tps]) => `| pgbench ${name} | ${fmt(tps)} tps |`),
  ];
  const checks = criteria(run).map((c) => `- ${c.pass ? 'PASS' : 'FAIL'} ${c.description}: ${c.detail}`);
  return [
    `# Benchmark ${run.startedAt} (${run.mode})`,
    '',
    `${run.tasks.toLocaleString('en')} tasks, ${run.processes} API processes, wrk -t1 -c${run.connections} -d${run.seconds}s on loopback.`,
    '',
    '| baseline | figure |',
    '|---|---|',
    ...baselines,
    '',
    header,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...checks,
    '',
  ].join('\n');
}
