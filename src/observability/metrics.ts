/**
 * Prometheus metrics of one process, in one registry. Names follow
 * Prometheus conventions (`_total`, `_seconds`); dashboards and alert rules
 * name exactly these.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the pool gauge reads at each scrape (pg.Pool's counters). */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

export function createMetrics() {
  const registry = new Registry();
  let pools: Record<string, PoolCounts> = {};
  const poolMax = new Gauge({
    name: 'tasks_db_pool_max_connections',
    help: 'The most connections each database pool of this process opens',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      for (const [pool, counts] of Object.entries(pools)) this.labels(pool).set(counts.options.max ?? 10);
    },
  });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'tasks_cache_requests_total',
      help: 'Cache lookups of listings and tasks by result (hit, miss, error, bypass)',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    }),
    dbReads: new Counter({
      name: 'tasks_db_reads_total',
      help: 'Database reads by where they ran (replica or primary) and why',
      labelNames: ['target', 'reason'] as const,
      registers: [registry],
    }),
    replicaLag: new Gauge({
      name: 'tasks_replica_lag_seconds',
      help: 'Seconds since the replica last replayed a transaction (-1: down)',
      labelNames: ['replica'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'tasks_auth_failures_total',
      help: 'Requests refused by authentication, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    backchannelLogouts: new Counter({
      name: 'tasks_backchannel_logouts_total',
      help: 'Back-channel logout tokens received, by outcome (session, subject, rejected, unavailable)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    dbPoolConnections: new Gauge({
      name: 'tasks_db_pool_connections',
      help: 'Connections of each database pool of this process by state (in_use, idle), and callers waiting for one (waiting)',
      labelNames: ['pool', 'state'] as const,
      registers: [registry],
      collect() {
        for (const [pool, counts] of Object.entries(pools)) {
          this.labels(pool, 'in_use').set(counts.totalCount - counts.idleCount);
          this.labels(pool, 'idle').set(counts.idleCount);
          this.labels(pool, 'waiting').set(counts.waitingCount);
        }
      },
    }),
    dbPoolMax: poolMax,
    /** The pools the gauges report, by name. */
    observePools(named: Record<string, PoolCounts>) {
      pools = named;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
