/**
 * Retention, as scheduled jobs: delivered events leave the outbox once
 * older than STREAM_RETENTION_HOURS (how far back a live stream can resume;
 * their consumers' claims go with them: no redelivery comes that late), and
 * task history older than HISTORY_RETENTION_DAYS is pruned daily when set
 * (history.chain.ts keeps each chain verifiable from its new start). Both
 * delete in bounded batches, so neither holds a long transaction.
 */
import type { Database, Queryable } from '../../infra/db/database.ts';
import { pruneHistory } from '../../modules/history/history.chain.ts';
import type { ScheduledJob } from './scheduler.ts';

const HOUR_MS = 3_600_000;
const BATCH = 5_000;

/** Removes up to `limit` delivered events created before `before`, and their claims; returns how many. */
export async function pruneDeliveredEvents(db: Queryable, before: Date, limit = BATCH): Promise<number> {
  const { rows } = await db.query<{ removed: number }>(
    `WITH gone AS (
       DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
          WHERE published_at IS NOT NULL AND stream_position IS NOT NULL AND created_at < $1
          ORDER BY id LIMIT $2)
       RETURNING event_id
     ), claims AS (
       DELETE FROM processed_events p USING gone WHERE p.event_id = gone.event_id
     )
     SELECT count(*)::int AS removed FROM gone`,
    [before, limit],
  );
  return rows[0]?.removed ?? 0;
}

async function untilNoneLeft(prune: () => Promise<number>, signal: AbortSignal): Promise<void> {
  while ((await prune()) > 0) signal.throwIfAborted();
}

export function retentionJobs(deps: {
  db: Pick<Database, 'primary'>;
  streamRetentionHours: number;
  historyRetentionDays: number | undefined;
}): ScheduledJob[] {
  const { db, streamRetentionHours, historyRetentionDays } = deps;
  const jobs: ScheduledJob[] = [
    {
      name: 'outbox-retention',
      // Hourly: the period is the hour, '2026-12-03T07'.
      duePeriod: (now) => now.toISOString().slice(0, 13),
      run: (_hour, { signal }) =>
        untilNoneLeft(
          () => pruneDeliveredEvents(db.primary, new Date(Date.now() - streamRetentionHours * HOUR_MS)),
          signal,
        ),
    },
  ];
  if (historyRetentionDays !== undefined)
    jobs.push({
      name: 'history-retention',
      duePeriod: (now) => now.toISOString().slice(0, 10),
      run: (_day, { signal }) =>
        untilNoneLeft(
          () => pruneHistory(db.primary, new Date(Date.now() - historyRetentionDays * 24 * HOUR_MS)),
          signal,
        ),
    });
  return jobs;
}
