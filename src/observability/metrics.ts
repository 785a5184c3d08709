/**
 * Prometheus metrics of one process, in one registry. Names follow
 * Prometheus conventions (`_total`, `_seconds`); dashboards and alert rules
 * name exactly these.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { REJECTION_REASONS } from '../auth/token-verifier.ts';
import type { ReplicaState } from '../infra/db/read-router.ts';
import { everyPair, withZeroSeries } from './zero-series.ts';

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
  const replicaLagSeconds = new Gauge({
    name: 'tasks_replica_lag_seconds',
    help: 'How long the primary has had WAL the replica has not replayed; 0 when caught up (-1: down)',
    labelNames: ['replica'] as const,
    registers: [registry],
  });
  const replicaLagBytes = new Gauge({
    name: 'tasks_replica_lag_bytes',
    help: "WAL bytes between the primary's position and the replica's replay position (-1: down)",
    labelNames: ['replica'] as const,
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    cacheRequests: withZeroSeries(
      new Counter({
        name: 'tasks_cache_requests_total',
        help: 'Cache lookups of listings and tasks by result (hit, miss, error, bypass)',
        labelNames: ['kind', 'result'] as const,
        registers: [registry],
      }),
      everyPair(['listing', 'task'], ['hit', 'miss', 'error', 'bypass']),
    ),
    // The pairs src/modules/tasks/tasks.reads.ts counts.
    dbReads: withZeroSeries(
      new Counter({
        name: 'tasks_db_reads_total',
        help: 'Database reads by where they ran (replica or primary) and why',
        labelNames: ['target', 'reason'] as const,
        registers: [registry],
      }),
      [
        ['primary', 'unknown_position'],
        ['replica', 'caught_up'],
        ['replica', 'replica_view'],
        ['primary', 'behind_or_down'],
        ['primary', 'replica_failed'],
      ],
    ),
    /** A replica's lag from WAL positions (src/infra/db/replica-lag.ts); -1 while it is down. */
    observeReplica(replica: string, state: ReplicaState) {
      replicaLagSeconds.labels(replica).set(state.healthy ? (state.lag?.seconds ?? 0) : -1);
      replicaLagBytes.labels(replica).set(state.healthy ? (state.lag?.bytes ?? 0) : -1);
    },
    authFailures: withZeroSeries(
      new Counter({
        name: 'tasks_auth_failures_total',
        help: 'Requests refused by authentication, by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      ['missing_token', ...REJECTION_REASONS].map((reason) => [reason]),
    ),
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
