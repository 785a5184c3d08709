/**
 * Every environment variable the API and the worker read, declared once:
 * its type, bounds and meaning (the description is what a reader of
 * docs and error messages sees). config.ts validates against it.
 */
import { type Static, Type } from 'typebox';

const Url = (description: string) =>
  Type.String({ minLength: 1, pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*://', description });
const Int = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });

export const EnvSchema = Type.Object({
  PORT: Type.Optional(Int(0, 65535, 'HTTP port of the API (default 8000)')),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'interface to listen on (default 0.0.0.0)' })),
  PUBLIC_URL: Type.Optional(
    Url(
      'URL clients use to reach the API and the web app (/app/), e-mail links included (default http://localhost:PORT)',
    ),
  ),
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
  REPLICA_MAX_LAG_SECONDS: Type.Optional(
    Int(1, 3600, 'a replica further behind serves only reads it has caught up with (default 30)'),
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
  EMBEDDED_DATABASE_PORT: Type.Optional(
    Int(
      1,
      65535,
      'port of the embedded PostgreSQL (default: the one remembered in DATA_DIR, else 54329, else the next free one)',
    ),
  ),
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
  ADMISSION_MAX_IN_FLIGHT: Type.Optional(
    Int(0, 100_000, 'requests one process works on at once (default 256; 0 = no admission control)'),
  ),
  ADMISSION_QUEUE_LENGTH: Type.Optional(
    Int(0, 100_000, 'requests that may wait for a place, beyond which a 503 at once (default 256)'),
  ),
  ADMISSION_QUEUE_TIMEOUT_MS: Type.Optional(
    Int(1, 60_000, 'how long a request waits for a place before its 503, ms (default 200)'),
  ),
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
  DIGEST_SEND_AT: Type.Optional(
    Type.String({
      pattern: '^(off|([01][0-9]|2[0-3]):[0-5][0-9])$',
      description: 'when the daily digest of open tasks is e-mailed, HH:MM in UTC, or off (default 07:00)',
    }),
  ),
  JOB_LEASE_SECONDS: Type.Optional(
    Int(
      5,
      3_600,
      "a scheduled job's lease: how soon another worker takes over a dead one's run (default 60)",
    ),
  ),
  HISTORY_RETENTION_DAYS: Type.Optional(
    Int(1, 36_500, 'task history entries older than this are pruned daily (default: kept forever)'),
  ),
  STREAM_RETENTION_HOURS: Type.Optional(
    Int(1, 8_760, 'delivered events are kept this long: how far back a live stream can resume (default 24)'),
  ),
  STREAM_HEARTBEAT_SECONDS: Type.Optional(
    Int(1, 300, 'a comment on every idle live stream this often, so proxies keep it open (default 15)'),
  ),
  STREAM_MAX_QUEUED_BYTES: Type.Optional(
    Int(
      1_024,
      1_073_741_824,
      'a live stream that lets this much wait unread is closed; the client resumes (default 1048576)',
    ),
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
