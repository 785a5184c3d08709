/**
 * The one place that reads `process.env`. Every setting is declared once in
 * `EnvSchema`; `loadConfig` validates all of them at start and reports every
 * bad variable by name, so a typo never surfaces later as a strange failure.
 * Secrets may come from files (`<NAME>_FILE`), as Docker and Kubernetes
 * secrets provide them.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Value } from 'typebox/value';
import { type Env, EnvSchema, SECRET_VARIABLES } from './env-schema.ts';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  /** Rotating log files, when LOG_DIR is set. */
  logFiles: { dir: string; maxSize: string; keep: number } | undefined;
  webConcurrency: number;
  database: {
    /** undefined = start the embedded PostgreSQL */
    url: string | undefined;
    /** direct connection for migrations (advisory locks need a session) */
    migrationUrl: string | undefined;
    migrateOnStart: boolean;
    /** read replicas; empty = every read on the primary */
    replicaUrls: string[];
    /** Beyond this lag a replica serves only reads that need nothing it lacks. */
    replicaMaxLagSeconds: number;
    poolSize: number;
    /** named server-side prepared statements (only without a transaction-mode pooler) */
    preparedStatements: boolean;
    /** undefined = the embedded start chooses (see infra/db/embedded-port.ts) */
    embeddedPort: number | undefined;
  };
  /** undefined = in-process cache (per worker process) */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  cacheTtlSeconds: number;
  amqp: {
    /** undefined = no broker configured */
    url: string | undefined;
    /** `task_processing`, with AMQP_QUEUE_PREFIX in front */
    queue: string;
  };
  mail: { smtpUrl: string | undefined; from: string };
  retryBaseMs: number;
  workerMetricsPort: number;
  /** Task events: history retention (undefined = kept forever) and the live stream. */
  events: {
    historyRetentionDays: number | undefined;
    streamRetentionHours: number;
    streamHeartbeatSeconds: number;
    streamMaxQueuedBytes: number;
  };
  /** Scheduled background jobs (src/background/jobs/). */
  jobs: {
    /** Minutes after midnight UTC at which the daily digest goes out; undefined = no digest. */
    digestMinuteOfDay: number | undefined;
    leaseSeconds: number;
  };
  /** without Redis: generations in PostgreSQL, or through the cluster primary (sole writer) */
  cacheGenerations: 'database' | 'cluster';
  oidc: {
    /** undefined = serve the built-in development identity provider */
    issuer: string | undefined;
    audience: string;
    rolesClaim: string;
    jwksUrl: string | undefined;
    /** `aud` values accepted in back-channel logout tokens: the clients users log in through. */
    logoutAudiences: string[];
    /** Longest access-token lifetime of the provider, seconds: how long a logout is remembered. */
    accessTokenLifetimeSeconds: number;
  };
  /** Abuse limits of the HTTP server (see src/http/abuse-limits.ts). */
  http: {
    /** requests per caller (token subject, else client IP) per window; max 0 = no limit */
    rateLimit: { max: number; windowSeconds: number };
    /** origins allowed by CORS; empty = no cross-origin browser access */
    corsOrigins: string[];
    requestTimeoutSeconds: number;
    connectionTimeoutSeconds: number;
    /** Fastify `trustProxy`: which X-Forwarded-For hops to believe for the client IP */
    trustProxy: boolean | number | string[];
  };
  /** Admission control per process (src/http/admission.ts); maxInFlight 0 = none. */
  admission: { maxInFlight: number; queueLength: number; queueTimeoutMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function readSecretFiles(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = {};
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) problems.push(`${name} and ${name}_FILE are both set; use one`);
    try {
      resolved[name] = readFileSync(file, 'utf8').trim();
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  return resolved;
}

function parseEnv(env: NodeJS.ProcessEnv): Env {
  const problems: string[] = [];
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  Object.assign(raw, readSecretFiles(env, problems));
  const converted = Value.Convert(EnvSchema, raw) as Record<string, unknown>;
  // One message per variable, every variable checked: the whole list at once.
  for (const [name, schema] of Object.entries(EnvSchema.properties)) {
    if (converted[name] === undefined) continue;
    const [first] = Value.Errors(schema, converted[name]);
    if (first) problems.push(`${name}: ${first.message} (got ${JSON.stringify(raw[name])})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Env;
}

/** A comma-separated variable as a list: items trimmed, empty ones dropped; undefined when unset. */
function listOf(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `HH:MM` as minutes after midnight; `off` as undefined. */
function minuteOfDay(value: string): number | undefined {
  if (value === 'off') return undefined;
  const [hours, minutes] = value.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function trustProxyOf(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return value.split(',').map((address) => address.trim());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env);
  const port = e.PORT ?? 8000;
  return {
    port,
    host: e.HOST ?? '0.0.0.0',
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataDir: path.resolve(e.DATA_DIR ?? 'data'),
    logLevel: e.LOG_LEVEL ?? 'info',
    logFiles: e.LOG_DIR
      ? { dir: path.resolve(e.LOG_DIR), maxSize: e.LOG_FILE_MAX_SIZE ?? '10m', keep: e.LOG_FILE_DAYS ?? 7 }
      : undefined,
    webConcurrency: e.WEB_CONCURRENCY ?? availableParallelism(),
    database: {
      url: e.DATABASE_URL,
      migrationUrl: e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL,
      migrateOnStart: e.MIGRATE_ON_START ?? true,
      replicaUrls: listOf(e.DATABASE_REPLICA_URL) ?? [],
      replicaMaxLagSeconds: e.REPLICA_MAX_LAG_SECONDS ?? 30,
      poolSize: e.DATABASE_POOL_SIZE ?? 10,
      preparedStatements: e.DATABASE_PREPARED_STATEMENTS ?? false,
      embeddedPort: e.EMBEDDED_DATABASE_PORT,
    },
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX ?? '',
    cacheTtlSeconds: e.CACHE_TTL_SECONDS ?? 300,
    cacheGenerations: e.CACHE_GENERATIONS ?? 'database',
    amqp: { url: e.AMQP_URL, queue: `${e.AMQP_QUEUE_PREFIX ?? ''}task_processing` },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? 'tasks@localhost' },
    retryBaseMs: e.WORKER_RETRY_BASE_MS ?? 5_000,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? 9464,
    events: {
      historyRetentionDays: e.HISTORY_RETENTION_DAYS,
      streamRetentionHours: e.STREAM_RETENTION_HOURS ?? 24,
      streamHeartbeatSeconds: e.STREAM_HEARTBEAT_SECONDS ?? 15,
      streamMaxQueuedBytes: e.STREAM_MAX_QUEUED_BYTES ?? 1_048_576,
    },
    jobs: {
      digestMinuteOfDay: minuteOfDay(e.DIGEST_SEND_AT ?? '07:00'),
      leaseSeconds: e.JOB_LEASE_SECONDS ?? 60,
    },
    oidc: {
      issuer: e.OIDC_ISSUER?.replace(/\/+$/, ''),
      audience: e.OIDC_AUDIENCE ?? 'tasks-api',
      rolesClaim: e.OIDC_ROLES_CLAIM ?? 'realm_access.roles',
      jwksUrl: e.OIDC_JWKS_URL,
      logoutAudiences: listOf(e.OIDC_LOGOUT_AUDIENCES) ?? [
        ...new Set(['tasks-cli', 'tasks-web', e.OIDC_AUDIENCE ?? 'tasks-api']),
      ],
      accessTokenLifetimeSeconds: e.OIDC_ACCESS_TOKEN_LIFETIME_SECONDS ?? 300,
    },
    http: {
      rateLimit: { max: e.RATE_LIMIT_MAX ?? 600, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS ?? 60 },
      corsOrigins: listOf(e.CORS_ORIGINS) ?? [],
      requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS ?? 30,
      connectionTimeoutSeconds: e.CONNECTION_TIMEOUT_SECONDS ?? 120,
      trustProxy: trustProxyOf(e.TRUST_PROXY),
    },
    admission: {
      maxInFlight: e.ADMISSION_MAX_IN_FLIGHT ?? 256,
      queueLength: e.ADMISSION_QUEUE_LENGTH ?? 256,
      queueTimeoutMs: e.ADMISSION_QUEUE_TIMEOUT_MS ?? 200,
    },
  };
}
