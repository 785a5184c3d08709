/**
 * The daily digest's SQL: who gets one (a known address and at least one
 * open task, not yet sent that day), the claim that makes each digest go out
 * once, and what it lists. The open tasks are read through the partial index
 * tasks_owner_open_idx (migration 050).
 */
import type { Queryable } from '../../infra/db/database.ts';
import { TASK_FIELDS } from '../tasks/tasks.repository.ts';
import type { DigestTask } from './digest-mail.ts';

export interface DigestRecipient {
  sub: string;
  name: string | null;
  email: string;
}

/** The next recipients after `afterSub` (in `sub` order) still owed the day's digest. */
export async function recipientsOwed(
  db: Queryable,
  day: string,
  afterSub: string,
  limit: number,
): Promise<DigestRecipient[]> {
  const { rows } = await db.query<DigestRecipient>(
    `SELECT u.sub, u.name, u.email FROM users u
      WHERE u.email IS NOT NULL AND u.sub > $2
        AND EXISTS (SELECT 1 FROM tasks t WHERE t.owner_id = u.sub AND t.status <> 'done')
        AND NOT EXISTS (SELECT 1 FROM digest_deliveries d WHERE d.day = $1 AND d.user_sub = u.sub)
      ORDER BY u.sub LIMIT $3`,
    [day, afterSub, limit],
  );
  return rows;
}

/** Claims the person's digest of the day; false when it was already sent (or is being sent). */
export async function claimDigest(db: Queryable, day: string, sub: string): Promise<boolean> {
  const claim = await db.query(
    'INSERT INTO digest_deliveries (day, user_sub) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [day, sub],
  );
  return claim.rowCount === 1;
}

export interface OpenTasks {
  openCount: number;
  overdueCount: number;
  dueTodayCount: number;
  /** The first `limit` by due date (overdue first, undated last), then priority. */
  tasks: DigestTask[];
}

/** The person's open tasks as of `now`; "due today" is due before `dayEnd`. */
export async function openTasksOf(
  db: Queryable,
  sub: string,
  { now, dayEnd }: { now: Date; dayEnd: Date },
  limit: number,
): Promise<OpenTasks> {
  const [counts, listed] = await Promise.all([
    db.query<{ open: number; overdue: number; due_today: number }>(
      `SELECT count(*)::int AS open,
              count(*) FILTER (WHERE due_at < $2)::int AS overdue,
              count(*) FILTER (WHERE due_at >= $2 AND due_at < $3)::int AS due_today
         FROM tasks WHERE owner_id = $1 AND status <> 'done'`,
      [sub, now, dayEnd],
    ),
    db.query<DigestTask>(
      `SELECT ${TASK_FIELDS} FROM tasks WHERE owner_id = $1 AND status <> 'done'
        ORDER BY due_at NULLS LAST, priority DESC, id LIMIT $2`,
      [sub, limit],
    ),
  ]);
  const row = counts.rows[0];
  return {
    openCount: row?.open ?? 0,
    overdueCount: row?.overdue ?? 0,
    dueTodayCount: row?.due_today ?? 0,
    tasks: listed.rows,
  };
}
