/**
 * Chooses where a read runs. A replica answers only when it has replayed
 * the newest write the read depends on (read-your-writes); otherwise, or
 * when it is down or too far behind, the primary does. Replicas are polled
 * in the background, so choosing costs nothing on the request path.
 */
import pg from 'pg';
import { type Lsn, parseLsn } from './lsn.ts';
import { usePreparedStatements } from './prepared-statements.ts';

export type ReadSource = 'replica' | 'primary';

interface Replica {
  name: string;
  pool: pg.Pool;
  healthy: boolean;
  replayedLsn: Lsn;
  lagSeconds: number | undefined;
}

export interface ReadRouterOptions {
  replicaUrls: string[];
  poolSize: number;
  preparedStatements?: boolean;
  pollIntervalMs?: number;
  onReplicaState?: (replica: string, state: { healthy: boolean; lagSeconds: number | undefined }) => void;
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
      return { name: `replica-${index + 1}`, pool, healthy: false, replayedLsn: 0n, lagSeconds: undefined };
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
    this.options.onReplicaState?.(replica.name, { healthy: false, lagSeconds: replica.lagSeconds });
  }

  private async pollAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.poll(replica)));
  }

  private async poll(replica: Replica): Promise<void> {
    try {
      const { rows } = await replica.pool.query<{ lsn: string | null; lag: number | null }>(
        `SELECT pg_last_wal_replay_lsn()::text AS lsn,
                extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS lag`,
      );
      const row = rows[0];
      // A server that is not in recovery has no replay position: it is not a replica.
      if (!row?.lsn) throw new Error(`${replica.name} is not a streaming replica`);
      replica.replayedLsn = parseLsn(row.lsn);
      replica.lagSeconds = row.lag ?? undefined;
      replica.healthy = true;
    } catch {
      replica.healthy = false;
    }
    this.options.onReplicaState?.(replica.name, { healthy: replica.healthy, lagSeconds: replica.lagSeconds });
  }
}
