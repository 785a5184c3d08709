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
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const Url = (description: string) =>
  Type.String({ minLength: 1, pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*://', description });
const Int = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });

export const EnvSchema = Type.Object({
  PORT: Type.Optional(Int(0, 65535, 'HTTP port of the API (default 8000)')),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'interface to listen on (default 0.0.0.0)' })),
  PUBLIC_URL: Type.Optional(Url('URL clients use to reach the API (default http://localhost:PORT)')),
  DATA_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'embedded data folder (default ./data)' }),
  ),
  LOG_LEVEL: Type.Optional(Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  LOG_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'also write the JSON log lines to rotating files in this folder (default: stdout only)',
    }),
  ),
  LOG_FILE_MAX_SIZE: Type.Optional(
    Type.String({
      pattern: '^[0-9]+[kmg]$',
      description: 'a log file is rotated at this size (default 10m)',
    }),
  ),
  LOG_FILE_DAYS: Type.Optional(
    Int(1, 3650, 'log files are rotated daily too; this many are kept besides the current one (default 7)'),
  ),
  WEB_CONCURRENCY: Type.Optional(Int(1, 64, 'API worker processes (default: number of cores)')),
  DATABASE_URL: Type.Optional(Url('PostgreSQL primary; unset = embedded PostgreSQL under DATA_DIR')),
  DATABASE_MIGRATION_URL: Type.Optional(
    Url('direct (not PgBouncer) URL for migrations (default DATABASE_URL)'),
  ),
  MIGRATE_ON_START: Type.Optional(Type.Boolean({ description: 'apply migrations at start (default true)' })),
  DATABASE_REPLICA_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'read replica URL(s), comma-separated (default: none)' }),
  ),
  REDIS_URL: Type.Optional(Url('Redis for the cache and shared state (default: in-process)')),
  REDIS_KEY_PREFIX: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'prefix of every Redis key, to share one Redis (default none)',
    }),
  ),
  AMQP_URL: Type.Optional(Url('RabbitMQ for task events (the worker relays the outbox to it)')),
  AMQP_QUEUE_PREFIX: Type.Optional(
    Type.String({
      maxLength: 64,
      pattern: '^[A-Za-z0-9._-]*$',
      description: 'prefix of every queue name, to share one broker (default none: task_processing)',
    }),
  ),
  SMTP_URL: Type.Optional(Url('SMTP server for notifications (default: .eml files under DATA_DIR/mail)')),
  MAIL_FROM: Type.Optional(
    Type.String({ minLength: 3, description: 'sender of notifications (default tasks@localhost)' }),
  ),
  WORKER_RETRY_BASE_MS: Type.Optional(
    Int(
      10,
      3_600_000,
      'delay before the 2nd attempt of a failed event; the 3rd waits 4 times as long (default 5000)',
    ),
  ),
  WORKER_METRICS_PORT: Type.Optional(Int(1, 65535, "port of the worker's /metrics (default 9464)")),
  CACHE_TTL_SECONDS: Type.Optional(
    Int(0, 86_400, 'lifetime of cached listings and tasks (default 300; 0 = no cache)'),
  ),
  CACHE_GENERATIONS: Type.Optional(
    Type.Enum(['database', 'cluster'], {
      description:
        'without REDIS_URL, where cache generations are shared: database (default: any number of instances) or cluster (the processes of one npm start, when no other instance writes to the database; set by the embedded start)',
    }),
  ),
  DATABASE_PREPARED_STATEMENTS: Type.Optional(
    Type.Boolean({
      description:
        'plan each query once per connection (default false: PgBouncer in transaction mode cannot carry prepared statements; the embedded start sets true)',
    }),
  ),
  DATABASE_POOL_SIZE: Type.Optional(Int(1, 500, 'connections per pool per process (default 10)')),
  EMBEDDED_DATABASE_PORT: Type.Optional(Int(1, 65535, 'port of the embedded PostgreSQL (default 54329)')),
  OIDC_ISSUER: Type.Optional(Url('OIDC issuer; unset = built-in development identity provider')),
  OIDC_AUDIENCE: Type.Optional(
    Type.String({ minLength: 1, description: 'expected aud/azp (default tasks-api)' }),
  ),
  OIDC_ROLES_CLAIM: Type.Optional(
    Type.String({ minLength: 1, description: 'dotted path (realm_access.roles)' }),
  ),
  OIDC_JWKS_URL: Type.Optional(Url('fetch keys here instead of the discovered jwks_uri (in-cluster URL)')),
  OIDC_LOGOUT_AUDIENCES: Type.Optional(
    Type.String({
      pattern: '^\\s*[^,\\s]+\\s*(,\\s*[^,\\s]+\\s*)*$',
      description:
        'client ids a back-channel logout token may be addressed to, comma-separated (default: tasks-cli,tasks-web and OIDC_AUDIENCE)',
    }),
  ),
  OIDC_ACCESS_TOKEN_LIFETIME_SECONDS: Type.Optional(
    Int(
      1,
      86_400,
      "the provider's longest access-token lifetime: how long a logged-out session's tokens stay refused (default 300)",
    ),
  ),
  RATE_LIMIT_MAX: Type.Optional(
    Int(0, 1_000_000, 'requests per caller per window (default 600; 0 = no rate limit)'),
  ),
  RATE_LIMIT_WINDOW_SECONDS: Type.Optional(Int(1, 86_400, 'rate limit window (default 60)')),
  CORS_ORIGINS: Type.Optional(
    Type.String({
      pattern: '^\\s*https?://[^/,\\s]+\\s*(,\\s*https?://[^/,\\s]+\\s*)*$',
      description: 'browser origins allowed to call the API, comma-separated (default: none)',
    }),
  ),
  REQUEST_TIMEOUT_SECONDS: Type.Optional(
    Int(0, 3_600, 'time to receive a whole request (default 30; 0 = none)'),
  ),
  CONNECTION_TIMEOUT_SECONDS: Type.Optional(
    Int(0, 3_600, 'an inactive connection is closed after this (default 120; 0 = never)'),
  ),
  TRUST_PROXY: Type.Optional(
    Type.String({
      pattern: '^(true|false|[0-9]+|[0-9A-Fa-f.:/]+(,\\s*[0-9A-Fa-f.:/]+)*)$',
      description:
        'proxies whose X-Forwarded-For names the client (rate limit by client IP): true, a hop count, or addresses/CIDRs (default false)',
    }),
  ),
});
export type Env = Static<typeof EnvSchema>;

/** Variables whose value may instead be read from the file named by `<NAME>_FILE`. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_MIGRATION_URL',
  'DATABASE_REPLICA_URL',
  'REDIS_URL',
  'AMQP_URL',
  'SMTP_URL',
] as const;

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
    poolSize: number;
    /** named server-side prepared statements (only without a transaction-mode pooler) */
    preparedStatements: boolean;
    embeddedPort: number;
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

function listOf(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
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
      replicaUrls: (e.DATABASE_REPLICA_URL ?? '')
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
      poolSize: e.DATABASE_POOL_SIZE ?? 10,
      preparedStatements: e.DATABASE_PREPARED_STATEMENTS ?? false,
      embeddedPort: e.EMBEDDED_DATABASE_PORT ?? 54329,
    },
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX ?? '',
    cacheTtlSeconds: e.CACHE_TTL_SECONDS ?? 300,
    cacheGenerations: e.CACHE_GENERATIONS ?? 'database',
    amqp: { url: e.AMQP_URL, queue: `${e.AMQP_QUEUE_PREFIX ?? ''}task_processing` },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? 'tasks@localhost' },
    retryBaseMs: e.WORKER_RETRY_BASE_MS ?? 5_000,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? 9464,
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
      corsOrigins: (e.CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS ?? 30,
      connectionTimeoutSeconds: e.CONNECTION_TIMEOUT_SECONDS ?? 120,
      trustProxy: trustProxyOf(e.TRUST_PROXY),
    },
  };
}
