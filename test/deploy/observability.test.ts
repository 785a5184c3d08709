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
import { STACK_PORTS } from '../../scripts/stack/stack.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createWorkerMetrics } from '../../src/observability/worker-metrics.ts';
import { namesIn } from './promql-names.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const deployFile = (...parts: string[]) => path.join(ROOT, 'deploy', ...parts);

/** Every series name and label the two processes export (histograms as their three series). */
function exported(): { metrics: Set<string>; labels: Set<string> } {
  // The worker registry reads the outbox only when scraped; names need no database.
  const registries: Registry[] = [
    createMetrics().registry,
    createWorkerMetrics({} as Pick<Database, 'primary'>).registry,
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

function expectExported(where: string, expr: string, known: ReturnType<typeof exported>) {
  const { metrics, labels } = namesIn(expr);
  expect(metrics.size, `${where}: names no metric: ${expr}`).toBeGreaterThan(0);
  for (const metric of metrics) expect(known.metrics, `${where}: ${metric}`).toContain(metric);
  for (const label of labels) expect(known.labels, `${where}: label ${label}`).toContain(label);
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(deployFile('grafana/dashboards/tasks-api.json'), 'utf8')) as {
    panels: Panel[];
  };
  const panels = dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .filter((p) => p.type !== 'row');

  it('has the golden signals per route, cache hit ratio, replica lag and routing, queue flow and dead letters', () => {
    const queries = panels.flatMap((panel) => panel.targets?.map((target) => target.expr) ?? []).join('\n');
    for (const needed of [
      /sum by \(method, route\) \(rate\(http_request_duration_seconds_count/,
      /status_code=~"5\.\."/,
      /histogram_quantile\(0\.99, sum by \(le, route\)/,
      /tasks_cache_requests_total\{result="hit"\}/,
      /tasks_replica_lag_seconds/,
      /tasks_db_reads_total/,
      /tasks_outbox_pending/,
      /tasks_worker_messages_total/,
      /outcome="dead_lettered"/,
      /tasks_db_pool_connections/,
    ])
      expect(queries).toMatch(needed);
  });

  it('every panel query names metrics and labels the API or the worker exports', () => {
    const known = exported();
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expectExported(`panel "${panel.title}"`, target.expr, known);
    }
  });
});

describe('Prometheus', () => {
  const rulesDir = deployFile('prometheus/rules');
  const ruleFiles = readdirSync(rulesDir).map((name) => path.join(rulesDir, name));

  it('every alert rule names metrics and labels the API or the worker exports', () => {
    const known = exported();
    const alerts = ruleFiles.flatMap((file) =>
      (
        parse(readFileSync(file, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
      ).groups.flatMap((group) => group.rules),
    );
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([
      'TasksApiHighErrorRate',
      'TasksApiSlowP99',
      'TasksDeadLetters',
      'TasksInstanceDown',
      'TasksOutboxBacklogGrowing',
      'TasksReplicaDown',
      'TasksReplicaLagging',
    ]);
    for (const rule of alerts) expectExported(`alert ${rule.alert}`, rule.expr, known);
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

  it('the alert rules pass their unit tests (promtool test rules)', () => {
    const output = execFileSync('promtool', ['test', 'rules', 'tasks-alerts.test.yml'], {
      cwd: deployFile('prometheus/tests'),
      encoding: 'utf8',
    });
    expect(output).toContain('SUCCESS');
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
    writeNginxConfig(stack, STACK_PORTS.apis, STACK_PORTS.https);
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
    nginxTest(compose);
  });
});
