/**
 * The processes of the stack besides PostgreSQL, PgBouncer and RabbitMQ: the
 * two API instances, the worker, Redis, NGINX and the observability services,
 * each as node-services.ts starts it, and the packages they come from.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { writeNginxConfig } from './nginx-files.ts';
import { answersHttp, type Service } from './node-services.ts';
import { OBSERVABILITY_PORTS, observabilityServices } from './observability.ts';
import { ROOT, STACK_DIR, STACK_PORTS, stackBroker, stackOptions, stackUrls } from './stack-layout.ts';

/** What every API instance and the worker are given (the same variables as in compose.yaml). */
export const sharedEnv = {
  DATABASE_URL: stackUrls.primaryPoolerUrl,
  DATABASE_REPLICA_URL: stackUrls.replicaPoolerUrl,
  DATABASE_MIGRATION_URL: stackUrls.primaryUrl,
  REDIS_URL: `redis://127.0.0.1:${STACK_PORTS.redis}`,
  AMQP_URL: stackBroker.url,
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
  writeNginxConfig(
    conf,
    {
      apis: STACK_PORTS.apis,
      http: STACK_PORTS.http,
      https: STACK_PORTS.https,
      status: OBSERVABILITY_PORTS.nginxStatus,
    },
    { listenAll: stackOptions().listenAll },
  );
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

/** The programs the stack runs beside PostgreSQL and PgBouncer, and the Debian package of each. */
const DEBIAN_PACKAGES = {
  'redis-server': 'redis-server',
  'rabbitmq-server': 'rabbitmq-server',
  nginx: 'nginx-light',
  prometheus: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'prometheus-postgres-exporter': 'prometheus-postgres-exporter',
  'prometheus-pgbouncer-exporter': 'prometheus-pgbouncer-exporter',
  'prometheus-redis-exporter': 'prometheus-redis-exporter',
  'prometheus-nginx-exporter': 'prometheus-nginx-exporter',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
};
export function checkInstalled(): void {
  const missing = [...Object.keys(DEBIAN_PACKAGES), 'openssl'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    throw new Error(
      `npm run stack needs ${missing.join(', ')} (Debian: apt-get install postgresql pgbouncer ${Object.values(DEBIAN_PACKAGES).join(' ')}). On Windows, use compose.yaml.`,
    );
}

/** The stack's processes that tests (and operators) may stop and start one at a time. */
export const SERVICES = {
  redis: redisService,
  'api-1': () => apiService(0),
  'api-2': () => apiService(1),
  worker: workerService,
  nginx: nginxService,
  ...observabilityServices(STACK_DIR, STACK_PORTS),
} as const;
export type StackService = keyof typeof SERVICES;
/** After PostgreSQL, Redis and RabbitMQ; one API after the other: the first creates the provider's keys and migrates. */
export const START_ORDER = (Object.keys(SERVICES) as StackService[]).filter((name) => name !== 'redis');
