import { describe, expect, it } from 'vitest';
import { type BenchRun, criteria, markdownReport, type ScenarioResult } from '../../bench/lib/report.ts';
import { type LoadResult, parseWrkOutput, wrkScript } from '../../bench/lib/wrk.ts';

const load = (requestsPerSecond: number, p99 = 5, errors = 0): LoadResult => ({
  requests: requestsPerSecond * 10,
  seconds: 10,
  requestsPerSecond,
  latencyMs: { p50: 1, p99, max: 20 },
  errors,
  non2xx: errors,
});

/** The scenarios the criteria read, with the given figures. */
const scenarios = (f: {
  hit: LoadResult;
  miss: LoadResult;
  deep: LoadResult;
  byId: LoadResult;
  post: LoadResult;
  c500PeakRss: number[];
}): ScenarioResult[] => [
  { name: 'list-hit', description: '', load: f.hit },
  { name: 'list-miss', description: '', load: f.miss, databaseCeiling: 'first-page' },
  { name: 'cursor-deep', description: '', load: f.deep },
  { name: 'get-by-id', description: '', load: f.byId, databaseCeiling: 'row-by-id' },
  { name: 'post', description: '', load: f.post, databaseCeiling: 'insert' },
  {
    name: 'c500',
    description: '',
    load: load(20_000),
    usage: { cpuPercent: 150, peakRssMiB: f.c500PeakRss },
  },
];

const run = (overrides: Partial<BenchRun> = {}): BenchRun => ({
  mode: 'embedded',
  tasks: 1_000_000,
  processes: 2,
  connections: 64,
  seconds: 10,
  startedAt: '2026-11-25T00:00:00.000Z',
  nodeCeiling: load(60_000),
  pgbench: { 'first-page': 30_000, 'row-by-id': 40_000, insert: 8_000 },
  scenarios: scenarios({
    hit: load(33_000),
    miss: load(10_000),
    deep: load(9_000),
    byId: load(13_000),
    post: load(3_300),
    c500PeakRss: [60, 150, 160],
  }),
  ...overrides,
});

describe('bench: wrk output', () => {
  it('reads the result line the script prints, errors including non-2xx answers', () => {
    const output =
      'Running 10s test\nWRK_RESULT {"requests":1000,"durationUs":2000000,"p50":900,"p99":4500,"max":12000,"connect":0,"read":1,"write":0,"timeout":2,"status":3}\n';
    expect(parseWrkOutput(output)).toEqual({
      requests: 1000,
      seconds: 2,
      requestsPerSecond: 500,
      latencyMs: { p50: 0.9, p99: 4.5, max: 12 },
      errors: 6,
      non2xx: 3,
    });
  });

  it('fails loudly when wrk printed no result (a broken script)', () => {
    expect(() => parseWrkOutput('Running 10s test\n')).toThrow(/no result/);
  });

  it('writes each request as one data line and each distinct header set once', () => {
    const headers = { authorization: 'Bearer a"b' };
    const { lua, data } = wrkScript(
      [
        { method: 'GET', path: '/tasks', headers },
        { method: 'POST', path: '/tasks', headers, body: '{"title":"x"}' },
      ],
      '/tmp/requests.tsv',
    );
    expect(data).toBe('GET\t/tasks\t1\t\nPOST\t/tasks\t1\t{"title":"x"}\n');
    expect(lua).toContain('["authorization"] = "Bearer a\\"b"');
    expect(lua.match(/\["authorization"\]/g)).toHaveLength(1);
  });
});

describe('bench: criteria', () => {
  it('passes a run that meets every ratio of the issue', () => {
    expect(criteria(run()).filter((c) => !c.pass)).toEqual([]);
  });

  it('fails each criterion its figure misses', () => {
    const failing = criteria(
      run({
        scenarios: scenarios({
          hit: load(20_000, 40),
          miss: load(5_000, 5, 2),
          deep: load(3_000),
          byId: load(10_000),
          post: load(2_000),
          c500PeakRss: [250],
        }),
      }),
    )
      .filter((c) => !c.pass)
      .map((c) => c.description.split(':')[0]);
    expect(failing).toEqual([
      'list-hit',
      'list-hit',
      'get-by-id',
      'list-miss',
      'post',
      'cursor-deep',
      'c500',
      'no error responses in any scenario',
    ]);
  });

  it('renders every scenario with its ratios in the Markdown table', () => {
    const report = markdownReport(run());
    expect(report).toContain('| list-hit | 33000 |');
    expect(report).toContain('| 0.55 |');
    expect(report).toContain('0.33 (first-page)');
    expect(report).toContain('PASS list-hit: at least 0.5×');
  });
});
