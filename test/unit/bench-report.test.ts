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
  search: LoadResult;
  patch?: LoadResult;
  /** filter-label, filter-overdue and sort-due, in that order. */
  planning?: [LoadResult, LoadResult, LoadResult];
  c500PeakRss: number[];
}): ScenarioResult[] => [
  { name: 'list-hit', description: '', load: f.hit },
  { name: 'list-miss', description: '', load: f.miss, databaseCeiling: 'first-page' },
  { name: 'cursor-deep', description: '', load: f.deep },
  { name: 'get-by-id', description: '', load: f.byId, databaseCeiling: 'row-by-id' },
  { name: 'post', description: '', load: f.post, databaseCeiling: 'insert' },
  { name: 'search-q', description: '', load: f.search, databaseCeiling: 'search-q' },
  { name: 'patch', description: '', load: f.patch ?? load(2_500), databaseCeiling: 'update' },
  ...(['filter-label', 'filter-overdue', 'sort-due'] as const).map((name, i) => ({
    name,
    description: '',
    load: f.planning?.[i] ?? load(9_000),
    databaseCeiling: (
      { 'filter-label': 'label', 'filter-overdue': 'overdue', 'sort-due': 'sort-due' } as const
    )[name],
  })),
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
  pgbench: {
    'first-page': 30_000,
    'row-by-id': 40_000,
    insert: 8_000,
    'search-q': 20_000,
    update: 5_000,
    label: 25_000,
    overdue: 25_000,
    'sort-due': 25_000,
  },
  scenarios: scenarios({
    hit: load(37_000),
    miss: load(16_000),
    deep: load(15_000),
    byId: load(13_000),
    post: load(5_700),
    // 0.7× list-miss: more than 5× the 0.136× before issue 15.
    search: load(11_000),
    c500PeakRss: [60, 150, 160],
  }),
  failures: [],
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
          post: load(5_000),
          patch: load(1_500),
          search: load(3_000),
          planning: [load(7_000), load(7_000), load(7_000)],
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
      'patch',
      'search-q',
      'search-q',
      'filter-label',
      'filter-overdue',
      'sort-due',
      'cursor-deep',
      'c500',
      'no error responses in any scenario (503 refusals with Retry-After apart)',
    ]);
  });

  it('reports a failed phase as a FAIL line and still judges the figures measured', () => {
    const report = markdownReport(
      run({ failures: ['cache-off phase: canceling statement due to statement timeout'] }),
    );
    expect(report).toContain(
      '- FAIL every phase of the run completed: cache-off phase: canceling statement due to statement timeout',
    );
    expect(report).toContain('PASS list-hit: at least 0.6×');
  });

  it('says NOT RUN, neither PASS nor FAIL, for what a run left out (--only)', () => {
    const base = run();
    const report = markdownReport({
      ...base,
      scenarios: base.scenarios.filter((s) => s.name !== 'c500' && s.name !== 'cursor-deep'),
    });
    expect(report).toContain(
      '- NOT RUN c500: every API process under 200 MB RSS (its scenario was left out of this run)',
    );
    expect(report).toContain('- NOT RUN cursor-deep: within 20% of the first page');
    expect(report).not.toMatch(/FAIL c500|Infinity/);
    expect(report).toContain('PASS list-hit: at least 0.6×');
  });

  it('leaves the node:http ceiling out of a run of cache-off scenarios only (it is measured with the cache on)', () => {
    const base = run();
    const report = markdownReport({
      ...base,
      nodeCeiling: undefined,
      scenarios: base.scenarios.filter((s) => s.name === 'list-miss' || s.name === 'search-q'),
    });
    expect(report).not.toContain('| node:http ceiling (');
    expect(report).not.toMatch(/Infinity|\| 0 req\/s/);
    expect(report).toContain('| list-miss | 16000 |');
    expect(report).toContain('NOT RUN list-hit: at least 0.6× the bare node:http ceiling');
  });

  it('renders every scenario with its ratios in the Markdown table', () => {
    const report = markdownReport(run());
    expect(report).toContain('| list-hit | 37000 |');
    expect(report).toContain('| 0.62 |');
    expect(report).toContain('0.53 (first-page)');
    expect(report).toContain('PASS list-hit: at least 0.6×');
    expect(report).toContain('not asked for');
  });
});

describe('bench: c500 under admission control', () => {
  const withC500 = (c500: LoadResult) => {
    const base = run();
    return { ...base, scenarios: base.scenarios.map((s) => (s.name === 'c500' ? { ...s, load: c500 } : s)) };
  };
  const judged = (c500: LoadResult) =>
    criteria(withC500(c500))
      .filter((c) => c.description.startsWith('c500: p99') || c.description.startsWith('no error'))
      .map((c) => [c.pass, c.detail]);

  it('counts 503 refusals with Retry-After apart from errors, and judges the p99 with them', () => {
    expect(judged({ ...load(20_000, 120, 300), refused: 300 })).toEqual([
      [true, 'p99 120.0 ms, 300 refused of 200000'],
      [true, 'none; refused: c500 300'],
    ]);
    expect(judged({ ...load(20_000, 900, 301), refused: 300 })).toEqual([
      [false, 'p99 900.0 ms, 300 refused of 200000'],
      [false, 'c500 1; refused: c500 300'],
    ]);
  });

  it('counts refusals in wrk only when asked (a response callback slows wrk)', () => {
    expect(wrkScript([{ method: 'GET', path: '/', headers: {} }], '/tmp/r.tsv').lua).not.toContain(
      'response =',
    );
    expect(wrkScript([{ method: 'GET', path: '/', headers: {} }], '/tmp/r.tsv', true).lua).toContain(
      'response =',
    );
  });
});

describe("bench: the seed's stack side by side", () => {
  const withPeer = (peers: Record<string, LoadResult>) => {
    const base = run({ peer: { runtime: 'uvloop httptools' } });
    return {
      ...base,
      scenarios: base.scenarios.map((s) =>
        peers[s.name] ? { ...s, peer: { load: peers[s.name] as LoadResult } } : s,
      ),
    };
  };

  it("passes a scenario at 5× the seed's throughput with a lower p99, fails one slower or with a higher p99", () => {
    const judged = criteria(
      withPeer({ 'list-hit': load(7_000, 6), post: load(1_500, 50), 'get-by-id': load(2_000, 2) }),
    ).filter((c) => c.description.includes("seed's stack"));
    expect(judged.map((c) => [c.description.split(':')[0], c.pass])).toEqual([
      ['list-hit', true],
      ['get-by-id', false],
      ['post', false],
    ]);
    expect(judged[1]?.detail).toBe('6.50× (13000 vs 2000 req/s), p99 5.0 vs 2.0 ms');
  });

  it("passes a scenario the seed's stack answers no request of, saying so (no Infinity×)", () => {
    const judged = criteria(withPeer({ 'list-miss': load(0, 0) })).filter((c) =>
      c.description.startsWith('list-miss: at least 5×'),
    );
    expect(judged.map((c) => [c.pass, c.detail])).toEqual([
      [true, "the seed's stack answered no request in the run (16000 req/s here)"],
    ]);
  });

  it('shows each ratio to the seed in the table, and a skipped seed says why', () => {
    expect(markdownReport(withPeer({ 'list-hit': load(7_400, 9) }))).toContain('| 5.00 (7400, 9.0) |');
    const skipped = markdownReport(run({ peer: { skipped: 'skipped: missing Python packages: fastapi' } }));
    expect(skipped).toContain(
      "Seed's stack (FastAPI + Uvicorn, bench/peer/): skipped: missing Python packages: fastapi.",
    );
    expect(skipped).not.toContain("seed's stack, p99 lower");
  });
});
