/**
 * The observability files against the code and the real tools, offline:
 * every metric and label a Grafana panel or an alert rule names is one the
 * API or the worker exports; `promtool` checks the Prometheus configurations
 * and runs the alert rules' unit tests; `nginx -t` accepts the NGINX
 * configuration. The tools come from Debian's packages (prometheus,
 * nginx-light), which `.ci/run` installs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { selfSignedCertificate, writeNginxConfig } from '../../scripts/stack/nginx-files.ts';
import { OBSERVABILITY_PORTS } from '../../scripts/stack/observability.ts';
import { STACK_PORTS } from '../../scripts/stack/stack-layout.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createWorkerMetrics, type OutboxBacklog } from '../../src/observability/worker-metrics.ts';
import { namesIn } from './promql-names.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const deployFile = (...parts: string[]) => path.join(ROOT, 'deploy', ...parts);

/** Every series name and label the two processes export (histograms as their three series). */
function exported(): { metrics: Set<string>; labels: Set<string> } {
  // The worker registry reads the outbox only when scraped; names need no database.
  const registries: Registry[] = [
    createMetrics().registry,
    createWorkerMetrics({} as OutboxBacklog).registry,
  ];
  // Added by Prometheus to every target.
  const metrics = new Set(['up']);
  const labels = new Set(['job', 'instance', 'le']);
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, type, labelNames } = metric as unknown as {
        name: string;
        type: string;
        labelNames: string[];
      };
      for (const suffix of type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''])
        metrics.add(name + suffix);
      for (const label of labelNames ?? []) labels.add(label);
    }
  }
  return { metrics, labels };
}

/** Prefixes of the exporters' metrics (checked against the running stack in test/e2e/observability.test.ts). */
const EXPORTER_PREFIXES = /^(pg|pgbouncer|redis|rabbitmq|nginx|probe|alertmanager|prometheus)_/;

/** The series the recording rules write (`tasks:...`). */
function recorded(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(deployFile('prometheus/rules')))
    for (const group of (parse(readFileSync(deployFile('prometheus/rules', file), 'utf8')) as RuleFile)
      .groups)
      for (const rule of group.rules) if (rule.record) names.add(rule.record);
  return names;
}

/**
 * The code's own metrics must be ones the API or the worker exports; recorded series one a
 * rule records; an exporter's metric is checked live, against what the running stack exports.
 */
function expectExported(where: string, expr: string, known: ReturnType<typeof exported>) {
  const { metrics, labels } = namesIn(expr);
  expect(metrics.size, `${where}: names no metric: ${expr}`).toBeGreaterThan(0);
  const records = recorded();
  const codeMetrics = [...metrics].filter(
    (metric) => !EXPORTER_PREFIXES.test(metric) && !records.has(metric),
  );
  for (const metric of codeMetrics) expect(known.metrics, `${where}: ${metric}`).toContain(metric);
  if (codeMetrics.length === metrics.size)
    for (const label of labels) expect(known.labels, `${where}: label ${label}`).toContain(label);
}

interface RuleFile {
  groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** The provisioned dashboards: an overview, then one per component. */
const DASHBOARDS = [
  'tasks-overview',
  'tasks-api',
  'tasks-postgres',
  'tasks-pgbouncer',
  'tasks-redis',
  'tasks-queue',
  'tasks-nginx',
];

function panelsOf(name: string): Panel[] {
  const dashboard = JSON.parse(readFileSync(deployFile(`grafana/dashboards/${name}.json`), 'utf8')) as {
    panels: Panel[];
  };
  return dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .filter((p) => p.type !== 'row');
}

describe('Grafana dashboards', () => {
  it('are the overview and one per component, each with a unique uid', () => {
    const files = readdirSync(deployFile('grafana/dashboards')).map((file) => file.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...DASHBOARDS].sort());
    const uids = DASHBOARDS.map(
      (name) =>
        (JSON.parse(readFileSync(deployFile(`grafana/dashboards/${name}.json`), 'utf8')) as { uid: string })
          .uid,
    );
    expect(uids).toEqual(DASHBOARDS);
  });

  it('the API dashboard has the golden signals per route, cache hit ratio, replica lag and routing, queue flow and dead letters', () => {
    const queries = panelsOf('tasks-api')
      .flatMap((panel) => panel.targets?.map((target) => target.expr) ?? [])
      .join('\n');
    for (const needed of [
      /sum by \(method, route\) \(rate\(http_request_duration_seconds_count/,
      /status_code=~"5\.\."/,
      /histogram_quantile\(0\.99, sum by \(le, route\)/,
      /tasks_cache_requests_total\{result="hit"\}/,
      /tasks_replica_lag_seconds/,
      /tasks_replica_lag_bytes/,
      /tasks_db_reads_total/,
      /tasks_outbox_pending/,
      /tasks_worker_messages_total/,
      /rabbitmq_queue_messages\{queue=~"\.\*\\\\\.dlq"\}/,
      /tasks_db_pool_connections/,
    ])
      expect(queries).toMatch(needed);
  });

  it('every panel query names metrics and labels the API or the worker exports (the exporters’: checked live)', () => {
    const known = exported();
    for (const name of DASHBOARDS)
      for (const panel of panelsOf(name)) {
        expect(panel.targets?.length, `${name}: ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expectExported(`${name} panel "${panel.title}"`, target.expr, known);
      }
  });
});

/** Every alert the rules define (each needs a promtool test and a runbook section). */
const ALERTS = [
  'TasksApiErrorBudgetBurn',
  'TasksApiSlowP99',
  'TasksCertificateExpiring',
  'TasksDeadLetters',
  'TasksExporterDown',
  'TasksInstanceDown',
  'TasksListingLatencyBudgetBurn',
  'TasksNginxUpstreamsDown',
  'TasksOutboxBacklogGrowing',
  'TasksOutboxBacklogOld',
  'TasksPgbouncerClientsWaiting',
  'TasksPostgresPrimaryDown',
  'TasksPostgresReplicaDown',
  'TasksPostgresReplicationLagging',
  'TasksQueueReadyGrowing',
  'TasksRedisEvicting',
  'TasksRedisMemoryHigh',
  'TasksReplicaDown',
  'TasksReplicaLagging',
  'TasksReplicationSlotRetention',
];

describe('Prometheus', () => {
  const rulesDir = deployFile('prometheus/rules');
  const ruleFiles = readdirSync(rulesDir).map((name) => path.join(rulesDir, name));

  it('every alert and recording rule names metrics and labels the code (or an exporter) exports', () => {
    const known = exported();
    const rules = ruleFiles.flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules),
    );
    expect([...new Set(rules.flatMap((rule) => rule.alert ?? []))].sort()).toEqual(ALERTS);
    for (const rule of rules) expectExported(`rule ${rule.alert ?? rule.record}`, rule.expr, known);
  });

  it('promtool accepts the rules and the scrape configurations', () => {
    const check = (...args: string[]) => execFileSync('promtool', ['check', ...args], { stdio: 'pipe' });
    check('rules', ...ruleFiles);
    for (const config of ['compose.yml', 'stack.yml'])
      check('config', '--syntax-only', deployFile('prometheus', config));
    // Debian's Prometheus is built without Kubernetes service discovery: the rest of the
    // Kubernetes configuration (relabelling) is checked with static targets in its place.
    const kubernetes = readFileSync(deployFile('prometheus/kubernetes.yml'), 'utf8');
    const withStaticTargets = kubernetes.replace(
      /kubernetes_sd_configs:\n\s+- role: pod\n\s+namespaces: \{ names: \[tasks\] \}/g,
      "static_configs:\n      - targets: ['pod:8000']",
    );
    expect(withStaticTargets).not.toContain('kubernetes_sd_configs');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tasks-prometheus-')), 'kubernetes.yml');
    writeFileSync(file, withStaticTargets);
    check('config', '--syntax-only', file);
  });

  it('the alert rules pass their unit tests (promtool test rules), and every alert has a test', () => {
    const tests = readdirSync(deployFile('prometheus/tests'));
    const output = execFileSync('promtool', ['test', 'rules', ...tests], {
      cwd: deployFile('prometheus/tests'),
      encoding: 'utf8',
    });
    expect(output).toContain('SUCCESS');
    const tested = tests.flatMap((file) =>
      [...readFileSync(deployFile('prometheus/tests', file), 'utf8').matchAll(/alertname: (\w+)/g)].map(
        (m) => m[1],
      ),
    );
    for (const alert of ALERTS) expect(tested, `a promtool test of ${alert}`).toContain(alert);
  }, 180_000);

  it('every alert names its runbook section, and docs/runbook.md has it', () => {
    const runbook = readFileSync(path.join(ROOT, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replaceAll(' ', '-'),
      ),
    );
    for (const file of ruleFiles)
      for (const group of (parse(readFileSync(file, 'utf8')) as RuleFile).groups)
        for (const rule of group.rules) {
          if (!rule.alert) continue;
          const runbookLink = (rule as { annotations?: { runbook?: string } }).annotations?.runbook;
          expect(runbookLink, rule.alert).toBe(`docs/runbook.md#${rule.alert.toLowerCase()}`);
          expect(anchors, `docs/runbook.md section ${rule.alert}`).toContain(rule.alert.toLowerCase());
        }
  });
});

describe('NGINX', () => {
  it('nginx -t accepts the configuration with the Compose environment and with the stack environment', () => {
    const nginxTest = (dir: string) => {
      for (const sub of ['run/logs', 'run/tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
      const args = [
        '-t',
        '-q',
        '-p',
        `${dir}/run/`,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-e',
        `${dir}/run/logs/error.log`,
      ];
      expect(execFileSync('nginx', args, { encoding: 'utf8', stdio: 'pipe' })).toBe('');
    };
    const stack = mkdtempSync(path.join(tmpdir(), 'tasks-nginx-stack-'));
    writeNginxConfig(stack, { ...STACK_PORTS, status: OBSERVABILITY_PORTS.nginxStatus });
    nginxTest(stack);

    const compose = mkdtempSync(path.join(tmpdir(), 'tasks-nginx-compose-'));
    selfSignedCertificate(compose, 1);
    writeFileSync(path.join(compose, 'nginx.conf'), readFileSync(deployFile('nginx/nginx.conf')));
    writeFileSync(
      path.join(compose, 'environment.conf'),
      readFileSync(deployFile('nginx/compose-environment.conf'), 'utf8')
        // Compose's hosts do not resolve here; the certificate is where this test made it.
        .replace(/server api-(\d):8000/g, 'server 127.0.0.$1:8000')
        .replaceAll('/certs/', 'tls/'),
    );
    for (const server of ['http', 'https', 'status'])
      writeFileSync(
        path.join(compose, `listen-${server}.conf`),
        readFileSync(deployFile(`nginx/compose-listen-${server}.conf`)),
      );
    nginxTest(compose);
  });
});
