/**
 * A job's lease in `job_leases` (migration 050): whoever holds an unexpired
 * lease runs the job's period; the others find it taken. The holder renews
 * it while it works; a holder that dies simply stops renewing, and the lease
 * passes to another worker once it expires. Completing a period records it,
 * so no worker runs that period again.
 */
import type { Queryable } from '../../infra/db/database.ts';

export interface JobLease {
  /** Takes the lease for `period` unless another holds it or the period is done. */
  acquire(period: string): Promise<boolean>;
  /** Extends the lease; false when it was lost (expired and taken over). */
  renew(): Promise<boolean>;
  /** Records the period as done and frees the lease. */
  complete(period: string): Promise<void>;
  /** Frees the lease without completing (a failed run: the next check tries again). */
  release(): Promise<void>;
}

export function jobLease(db: Queryable, job: string, holder: string, leaseSeconds: number): JobLease {
  return {
    async acquire(period) {
      await db.query('INSERT INTO job_leases (job) VALUES ($1) ON CONFLICT DO NOTHING', [job]);
      const taken = await db.query(
        `UPDATE job_leases SET holder = $2, lease_expires_at = now() + make_interval(secs => $3)
          WHERE job = $1
            AND (holder IS NULL OR holder = $2 OR lease_expires_at < now())
            AND last_period IS DISTINCT FROM $4`,
        [job, holder, leaseSeconds, period],
      );
      return taken.rowCount === 1;
    },
    async renew() {
      const renewed = await db.query(
        `UPDATE job_leases SET lease_expires_at = now() + make_interval(secs => $3)
          WHERE job = $1 AND holder = $2`,
        [job, holder, leaseSeconds],
      );
      return renewed.rowCount === 1;
    },
    async complete(period) {
      await db.query(
        `UPDATE job_leases SET last_period = $3, holder = NULL, lease_expires_at = NULL
          WHERE job = $1 AND holder = $2`,
        [job, holder, period],
      );
    },
    async release() {
      await db.query(
        'UPDATE job_leases SET holder = NULL, lease_expires_at = NULL WHERE job = $1 AND holder = $2',
        [job, holder],
      );
    },
  };
}
