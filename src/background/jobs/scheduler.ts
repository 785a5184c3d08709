/**
 * Scheduled jobs of the background wing: each job says which period is due
 * at a given time (or none), and the scheduler runs a due period once,
 * under the job's lease (job-lease.ts), however many workers run it. Adding
 * a job is its own file beside this one and its line in jobs/index.ts.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../infra/db/database.ts';
import { PollingLoop } from '../../infra/polling-loop.ts';
import { jobLease } from './job-lease.ts';

export interface JobContext {
  /** The job must stop when this aborts: its lease was lost to another worker, or the worker stops. */
  signal: AbortSignal;
  /** The time the period was found due: what "overdue" and "today" are measured against. */
  now: Date;
}

export interface ScheduledJob {
  /** Unique and stable: it keys the job's lease. */
  name: string;
  /** The period due at `now` (e.g. a day, '2026-12-03'), or null when none is. */
  duePeriod(now: Date): string | null;
  /** Runs the period; safe to run again after a crash (the job keeps its own progress). */
  run(period: string, context: JobContext): Promise<void>;
}

export interface SchedulerOptions {
  /** How long a lease lasts without renewal: how soon another worker takes over a dead one's run. */
  leaseSeconds: number;
  /** How often due periods are checked. */
  checkMs?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

export class JobScheduler {
  private readonly loop: PollingLoop;
  /** Identifies this process's leases (several processes may share a host). */
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Aborts the run in hand: its lease was lost, or the scheduler is stopping. */
  private current: AbortController | undefined;

  constructor(
    private readonly db: Pick<Database, 'primary'>,
    private readonly jobs: readonly ScheduledJob[],
    private readonly options: SchedulerOptions,
  ) {
    // A dead worker's run is taken over within about a lease (and at least every 30 s a period is checked).
    const checkMs = options.checkMs ?? Math.min(30_000, options.leaseSeconds * 1000);
    this.loop = new PollingLoop(() => this.step(), { idleMs: checkMs, retryMs: checkMs, ...options });
  }

  /** Runs every job whose due period this process could lease; returns how many ran. */
  async step(): Promise<number> {
    let ran = 0;
    const now = (this.options.now ?? (() => new Date()))();
    for (const job of this.jobs) {
      const period = job.duePeriod(now);
      if (period !== null && (await this.runUnderLease(job, period, now))) ran += 1;
    }
    // Ran something: check again at once (another period may be due); else wait.
    return ran;
  }

  private async runUnderLease(job: ScheduledJob, period: string, now: Date): Promise<boolean> {
    const lease = jobLease(this.db.primary, job.name, this.holder, this.options.leaseSeconds);
    if (!(await lease.acquire(period))) return false;
    const abort = new AbortController();
    this.current = abort;
    const renewal = setInterval(
      () => {
        lease.renew().then(
          (held) => held || abort.abort(new Error(`lease of ${job.name} lost`)),
          (error: unknown) => this.options.onError?.(error),
        );
      },
      (this.options.leaseSeconds * 1000) / 3,
    );
    try {
      await job.run(period, { signal: abort.signal, now });
      await lease.complete(period);
      return true;
    } catch (error) {
      // Frees the lease for the next check or another worker (no-op when it was lost).
      await lease.release().catch(() => {});
      if (abort.signal.aborted) return false;
      throw error;
    } finally {
      clearInterval(renewal);
      this.current = undefined;
    }
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    this.current?.abort(new Error('stopping'));
    return this.loop.stop();
  }
}
