/**
 * `npm run stack` / `npm run stack:down`: the whole topology on one machine,
 * from binaries installed on it (Debian: postgresql pgbouncer redis-server
 * rabbitmq-server nginx-light prometheus prometheus-alertmanager and the
 * prometheus-*-exporter packages): a PostgreSQL primary and streaming
 * replica with a PgBouncer in front of each, Redis, RabbitMQ, two API
 * instances, one worker, NGINX with a certificate generated on first run, an
 * exporter per server, Prometheus scraping them all and Alertmanager
 * (observability.ts). Everything listens on loopback (NGINX too, unless
 * `--listen-all`: the development identity provider hands out admin tokens).
 * Everything (data, logs, pids) lives under `.stack/`; re-running starts only
 * what is not running.
 *   npm run stack -- [--apply-delay 3s] [--listen-all]    npm run stack:down
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { answersHttp, runningPid, startService, stopService } from './node-services.ts';
import { OBSERVABILITY_PORTS } from './observability.ts';
import { startPart, startPostgresTopology, stopPostgresTopology, topologyUrls } from './postgres-topology.ts';
import {
  DATABASE,
  STACK_DIR,
  STACK_PORTS,
  type StackOptions,
  saveStackOptions,
  stackBroker,
  stackOptions,
  stackUrls,
} from './stack-layout.ts';
import { checkInstalled, SERVICES, START_ORDER, type StackService, sharedEnv } from './stack-services.ts';

async function createDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: topologyUrls('postgres').primaryUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

export const startStackService = (name: StackService) => startService(STACK_DIR, SERVICES[name]());
export const stopStackService = (name: StackService) => stopService(STACK_DIR, name);
/** SIGKILL, as a crash: no graceful shutdown, in-flight requests are cut. */
export function killStackService(name: StackService): void {
  const pid = runningPid(STACK_DIR, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  process.kill(pid, 'SIGKILL');
}
/** The replica, with the apply delay the stack was started with. */
export const startStackReplica = () => startPart('replica', { applyDelay: stackOptions().applyDelay });

/** Whether the stack answers on its ports: its doors (PostgreSQL, NGINX, Prometheus) all, some or none. */
export async function stackAnswers(): Promise<'all' | 'some' | 'none'> {
  const primary = new pg.Client({ connectionString: stackUrls.primaryUrl, connectionTimeoutMillis: 1_000 });
  const checks = await Promise.all([
    primary.connect().then(
      () => true,
      () => false,
    ),
    answersHttp(`http://127.0.0.1:${STACK_PORTS.http}/nginx-health`),
    answersHttp(`http://127.0.0.1:${STACK_PORTS.prometheus}/-/ready`),
  ]);
  await primary.end().catch(() => {});
  return checks.every(Boolean) ? 'all' : checks.some(Boolean) ? 'some' : 'none';
}

export async function startStack(options: StackOptions): Promise<void> {
  checkInstalled();
  saveStackOptions(options);
  await startPostgresTopology({ applyDelay: options.applyDelay });
  await createDatabase();
  await startStackService('redis');
  await stackBroker.start();
  for (const name of START_ORDER) await startStackService(name);
}

export async function stopStack(): Promise<void> {
  for (const name of [...START_ORDER].reverse()) await stopService(STACK_DIR, name);
  await stopService(STACK_DIR, 'redis');
  await stackBroker.stop();
  await stopPostgresTopology();
}

function banner(): string {
  const lines = [
    [
      'API (NGINX, HTTPS)',
      `https://localhost:${STACK_PORTS.https}   (self-signed: .stack/nginx/tls/tls.crt)`,
    ],
    ['HTTP → HTTPS', `http://localhost:${STACK_PORTS.http}`],
    ['Token endpoint', `https://localhost:${STACK_PORTS.https}/realms/tasks/protocol/openid-connect/token`],
    ...STACK_PORTS.apis.map((port, i) => [`API instance ${i + 1}`, `http://127.0.0.1:${port}  (/metrics)`]),
    ['Worker metrics', `http://127.0.0.1:${STACK_PORTS.workerMetrics}/metrics`],
    ['Prometheus', `http://127.0.0.1:${STACK_PORTS.prometheus}`],
    ['Alertmanager', `http://127.0.0.1:${OBSERVABILITY_PORTS.alertmanager}`],
    ['PostgreSQL', `${stackUrls.primaryUrl} (primary), ${stackUrls.replicaUrl} (replica)`],
    ['PgBouncer', `${stackUrls.primaryPoolerUrl}, ${stackUrls.replicaPoolerUrl}`],
    ['Redis', sharedEnv.REDIS_URL],
    ['RabbitMQ', stackBroker.url],
    ['E-mails', path.join(STACK_DIR, 'worker/mail')],
    ['Logs', path.join(STACK_DIR, 'logs')],
  ];
  return `${lines.map(([name, url]) => `  ${(name ?? '').padEnd(20)} ${url}`).join('\n')}\n`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'apply-delay': { type: 'string', default: '0' },
      'listen-all': { type: 'boolean', default: false },
    },
  });
  // One command only: `npm run stack -- status` passes `start status`, which must not quietly start.
  const command = positionals.length > 1 ? 'usage' : (positionals[0] ?? 'start');
  if (command === 'start') {
    const started = Date.now();
    await startStack({ applyDelay: values['apply-delay'] ?? '0', listenAll: values['listen-all'] ?? false });
    process.stdout.write(`Stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${banner()}`);
  } else if (command === 'stop') {
    await stopStack();
    process.stdout.write('Stack stopped.\n');
  } else if (command === 'status') {
    for (const name of Object.keys(SERVICES))
      process.stdout.write(`  ${name.padEnd(12)} ${runningPid(STACK_DIR, name) ? 'running' : 'stopped'}\n`);
  } else {
    process.stderr.write(
      'usage: stack.ts start [--apply-delay 3s] [--listen-all] | stop | status (npm run stack, stack:down, stack:status)\n',
    );
    process.exit(2);
  }
}
