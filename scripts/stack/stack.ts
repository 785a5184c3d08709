/**
 * `npm run stack` / `npm run stack:down`: the whole topology on one machine,
 * from binaries installed on it (Debian: postgresql pgbouncer redis-server
 * rabbitmq-server nginx-light prometheus): a PostgreSQL primary and streaming
 * replica with a PgBouncer in front of each, Redis, RabbitMQ, two API
 * instances, one worker, NGINX with a certificate generated on first run, and
 * Prometheus scraping the API and the worker. Everything (data, logs, pids)
 * lives under `.stack/`; re-running starts only what is not running.
 *   npm run stack -- [--apply-delay 3s]    npm run stack:down
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { writeNginxConfig } from './nginx-files.ts';
import { answersHttp, runningPid, type Service, startService, stopService } from './node-services.ts';
import { startPostgresTopology, stopPostgresTopology, topologyUrls } from './postgres-topology.ts';
import { rabbitNode } from './rabbitmq-node.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const STACK_DIR = path.join(ROOT, '.stack');
export const STACK_PORTS = {
  redis: 6480,
  amqp: 5682,
  amqpDistribution: 25682,
  apis: [8101, 8102],
  workerMetrics: 9464,
  http: 8080,
  https: 8443,
  prometheus: 9090,
} as const;
const DATABASE = 'tasks';
const urls = topologyUrls(DATABASE);
const broker = rabbitNode({
  dir: path.join(STACK_DIR, 'rabbitmq'),
  amqpPort: STACK_PORTS.amqp,
  distributionPort: STACK_PORTS.amqpDistribution,
});

/** What every API instance and the worker are given (the same variables as in compose.yaml). */
const sharedEnv = {
  DATABASE_URL: urls.primaryPoolerUrl,
  DATABASE_REPLICA_URL: urls.replicaPoolerUrl,
  DATABASE_MIGRATION_URL: urls.primaryUrl,
  REDIS_URL: `redis://127.0.0.1:${STACK_PORTS.redis}`,
  AMQP_URL: broker.url,
  PUBLIC_URL: `https://localhost:${STACK_PORTS.https}`,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  // The stack serves tests and benchmarks that send one user's requests at full speed:
  // a per-caller limit far above what a person sends, so only the load generators notice it.
  RATE_LIMIT_MAX: '1000000',
  // NGINX on loopback: its X-Forwarded-For names the client.
  TRUST_PROXY: '127.0.0.1',
};

const tsx = (entry: string) => [process.execPath, ['--import', 'tsx', path.join(ROOT, entry)]] as const;

function apiService(index: number): Service {
  const port = STACK_PORTS.apis[index] as number;
  const [command, args] = tsx('src/server.ts');
  return {
    name: `api-${index + 1}`,
    command,
    args: [...args],
    env: {
      ...sharedEnv,
      PORT: String(port),
      // One process per instance, as one pod: its /metrics is the whole instance's.
      WEB_CONCURRENCY: '1',
      // Shared by both: the development identity provider's signing keys.
      DATA_DIR: path.join(STACK_DIR, 'api'),
      LOG_DIR: path.join(STACK_DIR, 'logs', `api-${index + 1}`),
    },
    ready: () => answersHttp(`http://127.0.0.1:${port}/readyz`),
    readyTimeoutMs: 90_000,
  };
}

function workerService(): Service {
  const [command, args] = tsx('src/worker.ts');
  return {
    name: 'worker',
    command,
    args: [...args],
    env: {
      ...sharedEnv,
      // No SMTP server in the stack: each e-mail is a .eml file under .stack/worker/mail.
      DATA_DIR: path.join(STACK_DIR, 'worker'),
      WORKER_METRICS_PORT: String(STACK_PORTS.workerMetrics),
      LOG_DIR: path.join(STACK_DIR, 'logs', 'worker'),
    },
    ready: () => answersHttp(`http://127.0.0.1:${STACK_PORTS.workerMetrics}/healthz`),
  };
}

function redisService(): Service {
  mkdirSync(path.join(STACK_DIR, 'redis'), { recursive: true });
  return {
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(STACK_PORTS.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: async () => {
      const probe = new Redis(STACK_PORTS.redis, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
  };
}

/** NGINX's folder: deploy/nginx/nginx.conf, this machine's environment.conf, a certificate made once. */
function nginxService(): Service {
  const conf = path.join(STACK_DIR, 'nginx');
  for (const sub of ['logs', 'tmp']) mkdirSync(path.join(STACK_DIR, sub), { recursive: true });
  writeNginxConfig(conf, STACK_PORTS.apis, STACK_PORTS.https);
  return {
    name: 'nginx',
    command: 'nginx',
    args: [
      '-p',
      `${STACK_DIR}/`,
      '-c',
      path.join(conf, 'nginx.conf'),
      '-e',
      path.join(STACK_DIR, 'logs/nginx-error.log'),
      '-g',
      'daemon off;',
    ],
    ready: () => answersHttp(`http://127.0.0.1:${STACK_PORTS.http}/nginx-health`),
  };
}

function prometheusService(): Service {
  const dir = path.join(STACK_DIR, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const config = readFileSync(path.join(ROOT, 'deploy/prometheus/stack.yml'), 'utf8').replace(
    'rules/*.yml',
    path.join(ROOT, 'deploy/prometheus/rules/*.yml'),
  );
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  return {
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${STACK_PORTS.prometheus}`,
    ],
    ready: () => answersHttp(`http://127.0.0.1:${STACK_PORTS.prometheus}/-/ready`),
  };
}

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

function checkInstalled(): void {
  const missing = ['redis-server', 'rabbitmq-server', 'nginx', 'prometheus', 'openssl'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    throw new Error(
      `npm run stack needs ${missing.join(', ')} (Debian: apt-get install postgresql pgbouncer redis-server rabbitmq-server nginx-light prometheus). On Windows, use compose.yaml.`,
    );
}

/** The stack's processes that tests (and operators) may stop and start one at a time. */
const SERVICES = {
  redis: redisService,
  'api-1': () => apiService(0),
  'api-2': () => apiService(1),
  worker: workerService,
  nginx: nginxService,
  prometheus: prometheusService,
} as const;
export type StackService = keyof typeof SERVICES;

export const startStackService = (name: StackService) => startService(STACK_DIR, SERVICES[name]());
export const stopStackService = (name: StackService) => stopService(STACK_DIR, name);
/** SIGKILL, as a crash: no graceful shutdown, in-flight requests are cut. */
export function killStackService(name: StackService): void {
  const pid = runningPid(STACK_DIR, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  process.kill(pid, 'SIGKILL');
}
export const stackBroker = broker;

export async function startStack(applyDelay: string): Promise<void> {
  checkInstalled();
  await startPostgresTopology({ applyDelay });
  await createDatabase();
  await startStackService('redis');
  await broker.start();
  // One after the other: the first creates the development provider's keys and migrates.
  for (const name of ['api-1', 'api-2', 'worker', 'nginx', 'prometheus'] as const)
    await startStackService(name);
}

export async function stopStack(): Promise<void> {
  for (const name of ['prometheus', 'nginx', 'worker', 'api-2', 'api-1', 'redis'])
    await stopService(STACK_DIR, name);
  await broker.stop();
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
    ['PostgreSQL', `${urls.primaryUrl} (primary), ${urls.replicaUrl} (replica)`],
    ['PgBouncer', `${urls.primaryPoolerUrl}, ${urls.replicaPoolerUrl}`],
    ['Redis', sharedEnv.REDIS_URL],
    ['RabbitMQ', broker.url],
    ['E-mails', path.join(STACK_DIR, 'worker/mail')],
    ['Logs', path.join(STACK_DIR, 'logs')],
  ];
  return `${lines.map(([name, url]) => `  ${(name ?? '').padEnd(20)} ${url}`).join('\n')}\n`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'apply-delay': { type: 'string', default: '0' } },
  });
  // One command only: `npm run stack -- status` passes `start status`, which must not quietly start.
  const command = positionals.length > 1 ? 'usage' : (positionals[0] ?? 'start');
  if (command === 'start') {
    const started = Date.now();
    await startStack(values['apply-delay'] ?? '0');
    process.stdout.write(`Stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${banner()}`);
  } else if (command === 'stop') {
    await stopStack();
    process.stdout.write('Stack stopped.\n');
  } else if (command === 'status') {
    for (const name of Object.keys(SERVICES))
      process.stdout.write(`  ${name.padEnd(12)} ${runningPid(STACK_DIR, name) ? 'running' : 'stopped'}\n`);
  } else {
    process.stderr.write(
      'usage: stack.ts start [--apply-delay 3s] | stop | status (npm run stack, stack:down, stack:status)\n',
    );
    process.exit(2);
  }
}
