/**
 * What watches the running stack (`npm run stack`), checked against it:
 * every scrape target up (the API, the worker and an exporter per server);
 * the replica's lag as the API measures it from WAL positions (0 when idle
 * and caught up, about the apply delay while the primary writes);
 * Alertmanager routing by severity and inhibiting a primary's symptoms; and
 * NGINX as the issue asked: on loopback only, one Strict-Transport-Security
 * header per response.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STACK_DIR, STACK_PORTS, stackOptions } from '../../scripts/stack/stack-layout.ts';
import { namesIn } from '../deploy/promql-names.ts';
import { ALERTMANAGER_URL, getJson, PROMETHEUS_URL, query, targets } from '../support/prometheus-client.ts';
import { asUser } from '../support/stack-client.ts';
import { eventually } from '../support/test-database.ts';

/** Every job the stack's Prometheus scrapes, and how many targets each has. */
const JOBS: Record<string, number> = {
  'tasks-api': 2,
  'tasks-worker': 1,
  postgres: 2,
  pgbouncer: 2,
  redis: 1,
  rabbitmq: 1,
  nginx: 1,
  alertmanager: 1,
  prometheus: 1,
  'tls-certificates': 1,
  'tasks-through-nginx': 1,
};

describe('Prometheus scrapes the whole stack', () => {
  it('every target of every job is up', async () => {
    await eventually(
      async () => (await targets()).every((target) => target.health === 'up'),
      `every target up: ${JSON.stringify((await targets()).filter((t) => t.health !== 'up'))}`,
      30_000,
    );
    const perJob: Record<string, number> = {};
    for (const target of await targets()) perJob[target.labels.job] = (perJob[target.labels.job] ?? 0) + 1;
    expect(perJob).toEqual(JOBS);
  });
});

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The provisioned dashboards (test/deploy/observability.test.ts checks the list). */
const DASHBOARDS = readdirSync(path.join(ROOT, 'deploy/grafana/dashboards'));

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}

/** Each dashboard query with Grafana's variables as a 1-minute range (5 s scrapes) would set them. */
function dashboardQueries(): { where: string; expr: string }[] {
  return DASHBOARDS.flatMap((file) => {
    const { panels } = JSON.parse(
      readFileSync(path.join(ROOT, 'deploy/grafana/dashboards', file), 'utf8'),
    ) as {
      panels: Panel[];
    };
    return panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `${file} "${panel.title}"`,
        expr: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h'),
      })),
    );
  });
}

/** Names the official images' exporters use where Debian's differ (alert rules accept both). */
const OFFICIAL_IMAGE_ONLY = new Set(['pgbouncer_pools_client_waiting_connections']);

describe('every dashboard query and alert rule against what the running stack exports', () => {
  it('names only metrics the running stack exports', async () => {
    const { data: live } = await getJson<{ data: string[] }>(
      `${PROMETHEUS_URL}/api/v1/label/__name__/values`,
    );
    const rules = readdirSync(path.join(ROOT, 'deploy/prometheus/rules')).flatMap((file) =>
      (
        parse(readFileSync(path.join(ROOT, 'deploy/prometheus/rules', file), 'utf8')) as {
          groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
        }
      ).groups.flatMap((group) => group.rules),
    );
    const recorded = new Set(rules.flatMap((rule) => rule.record ?? []));
    const exprs = [
      ...dashboardQueries(),
      ...rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
    ];
    for (const { where, expr } of exprs)
      for (const metric of namesIn(expr).metrics)
        if (!recorded.has(metric) && !OFFICIAL_IMAGE_ONLY.has(metric))
          expect(live, `${where}: ${metric}`).toContain(metric);
  });

  it('every dashboard query returns data', async () => {
    // Traffic for the panels that show it: listings (a miss, then a cache hit) and a create the worker handles.
    for (let i = 0; i < 3; i += 1) expect((await asUser('carol', 'GET', '/tasks?limit=5')).status).toBe(200);
    expect((await asUser('bob', 'POST', '/tasks', { json: { title: 'dashboard probe' } })).status).toBe(201);
    const emptyNow = async () => {
      const empty: string[] = [];
      for (const { where, expr } of dashboardQueries())
        if ((await query(expr)).length === 0) empty.push(`${where}: ${expr}`);
      return empty;
    };
    // Rates need two scrapes (5 s apart) of the traffic above.
    await eventually(
      async () => (await emptyNow()).length === 0,
      'every dashboard query returning data',
      40_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; empty: ${JSON.stringify(await emptyNow(), null, 1)}`);
    });
    // Room beyond the 40 s wait for the report of the empty queries, which runs them all again.
  }, 90_000);
});

async function replicaLag(apiPort: number): Promise<{ seconds: number; bytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}\\{replica="replica-1"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return { seconds: value('tasks_replica_lag_seconds'), bytes: value('tasks_replica_lag_bytes') };
}

describe('the replica lag the API measures, from WAL positions', () => {
  const delaySeconds = Number.parseFloat(stackOptions().applyDelay);

  it('is 0 s and 0 bytes on an idle, caught-up replica, and about the apply delay while the primary writes', async () => {
    expect(
      delaySeconds,
      'the stack must run with a delayed replica (npm run stack -- --apply-delay 3s)',
    ).toBeGreaterThan(0);
    // Idle: nothing written for longer than the delay, the replica has replayed everything.
    await eventually(
      async () => {
        const lags = await Promise.all(STACK_PORTS.apis.map(replicaLag));
        return lags.every((lag) => lag.seconds === 0 && lag.bytes === 0);
      },
      'every instance reading lag 0 once the replica has caught up',
      20_000,
    );

    // Writing: a create every 100 ms for longer than the delay.
    const until = Date.now() + (delaySeconds + 2) * 1_000;
    let peak = { seconds: 0, bytes: 0 };
    while (Date.now() < until) {
      const response = await asUser('bob', 'POST', '/tasks', { json: { title: 'lag probe' } });
      expect(response.status).toBe(201);
      const lag = await replicaLag(STACK_PORTS.apis[0]);
      if (lag.seconds > peak.seconds) peak = lag;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(peak.seconds).toBeGreaterThan(delaySeconds * 0.5);
    expect(peak.seconds).toBeLessThan(delaySeconds + 3);
    expect(peak.bytes).toBeGreaterThan(0);
  });
});

describe('Alertmanager', () => {
  interface AmAlert {
    labels: Record<string, string>;
    status: { state: string; inhibitedBy: string[] };
    receivers: { name: string }[];
  }
  const run = `e2e-${Date.now().toString(36)}`;
  type Posted = { labels: Record<string, string>; endsAt?: string };
  const post = (alerts: Posted[]) =>
    fetch(`${ALERTMANAGER_URL}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });

  it('routes pages to the pager and tickets to tickets; a primary down inhibits what depends on it', async () => {
    const alerts: Posted[] = [
      { labels: { alertname: 'TasksPostgresPrimaryDown', severity: 'page', component: 'database', run } },
      { labels: { alertname: 'TasksApiErrorBudgetBurn', severity: 'page', depends_on: 'primary', run } },
      { labels: { alertname: 'TasksDeadLetters', severity: 'ticket', queue: 'task_processing.dlq', run } },
    ];
    expect((await post(alerts)).status).toBe(200);
    try {
      let seen: AmAlert[] = [];
      await eventually(
        async () => {
          seen = await getJson<AmAlert[]>(`${ALERTMANAGER_URL}/api/v2/alerts?filter=run%3D%22${run}%22`);
          return seen.length === 3 && seen.every((alert) => alert.status.state !== 'unprocessed');
        },
        'Alertmanager processing the three alerts',
        15_000,
      );
      const byName = Object.fromEntries(seen.map((alert) => [alert.labels.alertname, alert]));
      expect(byName.TasksPostgresPrimaryDown?.status.state).toBe('active');
      expect(
        byName.TasksPostgresPrimaryDown?.receivers.map((receiver: { name: string }) => receiver.name),
      ).toEqual(['pager']);
      expect(byName.TasksApiErrorBudgetBurn?.status.state).toBe('suppressed');
      expect(byName.TasksApiErrorBudgetBurn?.status.inhibitedBy.length).toBe(1);
      expect(byName.TasksDeadLetters?.status.state).toBe('active');
      expect(byName.TasksDeadLetters?.receivers.map((receiver: { name: string }) => receiver.name)).toEqual([
        'tickets',
      ]);
    } finally {
      // Resolved, as the stack was before.
      await post(alerts.map((alert) => ({ ...alert, endsAt: new Date().toISOString() })));
    }
  });
});

/** The raw header lines of one HTTPS response through NGINX. */
function rawHeaders(
  method: string,
  requestPath: string,
  body?: string,
): Promise<{ status: number; headers: string[] }> {
  const ca = readFileSync(path.join(STACK_DIR, 'nginx/tls/tls.crt'));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: 'localhost',
        port: STACK_PORTS.https,
        method,
        path: requestPath,
        ca,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.rawHeaders }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const countOf = (headers: string[], name: string) =>
  headers.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name).length;

describe('NGINX in the stack', () => {
  it('sends one Strict-Transport-Security header per response: the API’s answers, its errors, NGINX’s own', async () => {
    const cases = [
      await rawHeaders('GET', '/healthz'),
      await rawHeaders('GET', '/tasks'),
      await rawHeaders('POST', '/tasks', JSON.stringify({ title: 'x'.repeat(70 * 1024) })),
    ];
    expect(cases.map((c) => c.status)).toEqual([200, 401, 413]);
    for (const { headers } of cases) expect(countOf(headers, 'strict-transport-security')).toBe(1);
  });

  it('listens on loopback only (the development identity provider hands out admin tokens)', async () => {
    expect(stackOptions().listenAll, 'the stack was started with --listen-all').toBe(false);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal)
      .map((address) => address?.address as string);
    expect(external.length, 'this machine has a non-loopback address to try').toBeGreaterThan(0);
    const refused = (host: string, port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port, timeout: 2_000 });
        socket.on('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(true));
        socket.on('timeout', () => {
          socket.destroy();
          resolve(true);
        });
      });
    for (const host of external)
      for (const port of [STACK_PORTS.http, STACK_PORTS.https])
        expect(await refused(host, port), `${host}:${port} refused`).toBe(true);
    // And it does answer on loopback, IPv4 and IPv6.
    expect(await refused('127.0.0.1', STACK_PORTS.https)).toBe(false);
    expect(await refused('::1', STACK_PORTS.https)).toBe(false);
  });
});
