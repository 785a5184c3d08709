/**
 * The running stack's Prometheus and Alertmanager, through their HTTP APIs
 * (on loopback): instant queries, scrape targets, alert states.
 */
import { OBSERVABILITY_PORTS } from '../../scripts/stack/observability.ts';
import { STACK_PORTS } from '../../scripts/stack/stack-layout.ts';

export const PROMETHEUS_URL = `http://127.0.0.1:${STACK_PORTS.prometheus}`;
export const ALERTMANAGER_URL = `http://127.0.0.1:${OBSERVABILITY_PORTS.alertmanager}`;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url).catch((error: unknown) => {
    throw new Error(`${url}: ${(error as Error).message} (is the stack running? npm run stack)`);
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function query(expr: string): Promise<Sample[]> {
  const body = await getJson<{ data: { result: Sample[] } }>(
    `${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  return body.data.result;
}

export interface Target {
  labels: { job: string; instance: string };
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export async function targets(): Promise<Target[]> {
  return (await getJson<{ data: { activeTargets: Target[] } }>(`${PROMETHEUS_URL}/api/v1/targets`)).data
    .activeTargets;
}

export interface RuleAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** The alerts of one rule, as Prometheus evaluates it now (pending or firing). */
export async function alertsOf(alertname: string): Promise<RuleAlert[]> {
  const body = await getJson<{ data: { alerts: (RuleAlert & { labels: { alertname: string } })[] } }>(
    `${PROMETHEUS_URL}/api/v1/alerts`,
  );
  return body.data.alerts.filter((alert) => alert.labels.alertname === alertname);
}

/** The `for` of an alert rule, in seconds, as Prometheus loaded it. */
export async function forSecondsOf(alertname: string): Promise<number> {
  const body = await getJson<{
    data: { groups: { rules: { name: string; type: string; duration: number }[] }[] };
  }>(`${PROMETHEUS_URL}/api/v1/rules?type=alert`);
  const rule = body.data.groups.flatMap((group) => group.rules).find((r) => r.name === alertname);
  if (!rule) throw new Error(`Prometheus has no alert rule ${alertname}`);
  return rule.duration;
}

export { getJson };
