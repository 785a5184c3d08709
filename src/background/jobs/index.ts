/**
 * The registry of scheduled jobs (scheduler.ts runs them under a lease, one
 * worker per period). Adding a job is its own file beside this one and its
 * entry here.
 */
import type { Config } from '../../config/config.ts';
import type { Database } from '../../infra/db/database.ts';
import type { Mailer } from '../../infra/mail/mailer.ts';
import { dailyDigestJob } from './daily-digest.job.ts';
import { retentionJobs } from './retention.jobs.ts';
import type { ScheduledJob } from './scheduler.ts';

export function createJobs(deps: { config: Config; db: Database; mailer: Mailer }): ScheduledJob[] {
  const { config, db, mailer } = deps;
  return [
    dailyDigestJob({ db, mailer, publicUrl: config.publicUrl, minuteOfDay: config.jobs.digestMinuteOfDay }),
    ...retentionJobs({
      db,
      streamRetentionHours: config.events.streamRetentionHours,
      historyRetentionDays: config.events.historyRetentionDays,
    }),
  ];
}
