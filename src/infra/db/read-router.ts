/**
 * Chooses where a read runs. A replica answers only when it has replayed
 * the newest write the read depends on (read-your-writes); otherwise, or
 * when it is down or too far behind, the primary does. Replicas are polled
 * in the background, so choosing costs nothing on the request path.
 */
import pg from 'pg';
import { type Lsn, parseLsn } from './lsn.ts';
import { usePreparedStatements } from './prepared-statements.ts';
import { PrimaryPositions, type ReplicaLag } from './replica-lag.ts';

export type ReadSource = 'replica' | 'primary';

interface Replica {
  name: string;
  pool: pg.Pool;
  healthy: boolean;
  replayedLsn: Lsn;
  lag: ReplicaLag | undefined;
}

export interface ReplicaState {
  healthy: boolean;
  /** Behind the primary, from WAL positions (undefined until both were read once). */
  lag: ReplicaLag | undefined;
}

export interface ReadRouterOptions {
  replicaUrls: string[];
  poolSize: number;
  preparedStatements?: boolean;
  pollIntervalMs?: number;
  /** A replica further behind serves only reads it has caught up with (default 30 s). */
  maxLagSeconds?: number;
  onReplicaState?: (replica: string, state: ReplicaState) => void;
}

export interface ReadChoice {
  pool: pg.Pool;
  source: ReadSource;
  /** Call when the replica failed this read: it is skipped until the next successful poll. */
  markFailed(): void;
}

export class ReadRouter {
  private readonly replicas: Replica[];
  private readonly timer: NodeJS.Timeout | undefined;
  private next = 0;
  private readonly primaryPositions = new PrimaryPositions();

  constructor(
    private readonly primary: pg.Pool,
    private readonly options: ReadRouterOptions,
  ) {
    this.replicas = options.replicaUrls.map((url, index) => {
      const pool = new pg.Pool({
        connectionString: url,
        max: options.poolSize,
        application_name: 'tasks-api-reads',
        connectionTimeoutMillis: 2_000,
      });
      pool.on('error', () => {});
      if (options.preparedStatements) usePreparedStatements(pool);
      return { name: `replica-${index + 1}`, pool, healthy: false, replayedLsn: 0n, lag: undefined };
    });
    if (this.replicas.length > 0) {
      this.timer = setInterval(() => void this.pollAll(), options.pollIntervalMs ?? 200);
      this.timer.unref();
      void this.pollAll();
    }
  }

  /** Every pool reads may use, by name (`primary`, `replica-1`…), for the pool metrics. */
  pools(): Record<string, pg.Pool> {
    return Object.fromEntries([
      ['primary', this.primary],
      ...this.replicas.map((replica) => [replica.name, replica.pool] as const),
    ]);
  }

  /**
   * The newest position a replica within the lag bound has replayed: reads that need nothing
   * newer may run there (undefined: no such replica, e.g. all down or too far behind).
   */
  replayedWithinBound(): Lsn | undefined {
    const bound = this.options.maxLagSeconds ?? 30;
    let newest: Lsn | undefined;
    for (const replica of this.replicas)
      if (replica.healthy && replica.lag !== undefined && replica.lag.seconds <= bound)
        if (newest === undefined || replica.replayedLsn > newest) newest = replica.replayedLsn;
    return newest;
  }

  /** A replica that has replayed `requiredLsn` (round robin), else the primary. */
  choose(requiredLsn: Lsn | undefined): ReadChoice {
    if (requiredLsn !== undefined) {
      for (let i = 0; i < this.replicas.length; i += 1) {
        const replica = this.replicas[(this.next + i) % this.replicas.length] as Replica;
        if (replica.healthy && replica.replayedLsn >= requiredLsn) {
          this.next = (this.next + i + 1) % this.replicas.length;
          return { pool: replica.pool, source: 'replica', markFailed: () => this.markDown(replica) };
        }
      }
    }
    return { pool: this.primary, source: 'primary', markFailed: () => {} };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.map((replica) => replica.pool.end()));
  }

  private markDown(replica: Replica) {
    replica.healthy = false;
    this.options.onReplicaState?.(replica.name, { healthy: false, lag: replica.lag });
  }

  /** The primary's WAL position first, then each replica's replay position against it. */
  private async pollAll(): Promise<void> {
    try {
      const { rows } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      if (rows[0]) this.primaryPositions.observe(parseLsn(rows[0].lsn), Date.now());
    } catch {
      // The primary down: lag is measured against the last position seen.
    }
    await Promise.all(this.replicas.map((replica) => this.poll(replica)));
    // Positions every replica has replayed are no longer needed (a replica down keeps them, up to a bound).
    if (this.replicas.every((replica) => replica.healthy)) {
      let oldest = this.replicas[0]?.replayedLsn ?? 0n;
      for (const replica of this.replicas) if (replica.replayedLsn < oldest) oldest = replica.replayedLsn;
      this.primaryPositions.forgetUpTo(oldest);
    }
  }

  private async poll(replica: Replica): Promise<void> {
    try {
      const { rows } = await replica.pool.query<{ lsn: string | null }>(
        'SELECT pg_last_wal_replay_lsn()::text AS lsn',
      );
      const row = rows[0];
      // A server that is not in recovery has no replay position: it is not a replica.
      if (!row?.lsn) throw new Error(`${replica.name} is not a streaming replica`);
      replica.replayedLsn = parseLsn(row.lsn);
      replica.lag = this.primaryPositions.lagOf(replica.replayedLsn, Date.now());
      replica.healthy = true;
    } catch {
      replica.healthy = false;
    }
    this.options.onReplicaState?.(replica.name, { healthy: replica.healthy, lag: replica.lag });
  }
}
