/**
 * Scheduled jobs on a real PostgreSQL: the daily digest sent once per person
 * and day by two schedulers racing for it (two workers), with what it says;
 * a worker process killed mid-digest and started again sends each digest
 * once (a real SMTP server counts them); delivered events and old history
 * leave by retention.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { dailyDigestJob } from '../../src/background/jobs/daily-digest.job.ts';
import { pruneDeliveredEvents } from '../../src/background/jobs/retention.jobs.ts';
import { JobScheduler } from '../../src/background/jobs/scheduler.ts';
import type { Mail, Mailer } from '../../src/infra/mail/mailer.ts';
import { freePort } from '../support/private-redis.ts';
import { type SmtpFixture, startSmtpFixture } from '../support/smtp-fixture.ts';
import { eventually, useTestDatabase } from '../support/test-database.ts';

const database = useTestDatabase();

/** Not today: the kill test below sends today's digests. */
const DAY = '2026-12-10';
const at = (time: string) => new Date(`${DAY}T${time}Z`);

async function person(
  sub: string,
  email: string | null,
  tasks: { title: string; status?: string; due?: string; priority?: number }[],
) {
  await database.db.primary.query('INSERT INTO users (sub, name, email) VALUES ($1, $2, $3)', [
    sub,
    sub.toUpperCase(),
    email,
  ]);
  for (const task of tasks)
    await database.db.primary.query(
      `INSERT INTO tasks (id, title, status, owner_id, due_at, priority)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
      [task.title, task.status ?? 'todo', sub, task.due ?? null, task.priority ?? 0],
    );
}

function recordingMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return { sent, send: async (mail) => void sent.push(mail), close: () => {} };
}

const scheduler = (mailer: Mailer, now: Date) =>
  new JobScheduler(
    database.db,
    [
      dailyDigestJob({
        db: database.db,
        mailer,
        publicUrl: 'https://tasks.example.test',
        minuteOfDay: 7 * 60,
      }),
    ],
    {
      leaseSeconds: 5,
      now: () => now,
    },
  );

describe('the daily digest', () => {
  it('goes out once per person and day from two racing workers, saying what is open', async () => {
    await person('dg-ann', 'ann@example.test', [
      { title: 'Undated idea' },
      { title: 'Pay the invoice', due: `${DAY}T05:00:00Z`, priority: 4 },
      { title: 'Call back', due: `2026-12-01T09:00:00Z` },
      { title: 'Ship it', due: `${DAY}T18:00:00Z`, priority: 3 },
      { title: 'Old news', status: 'done' },
    ]);
    await person('dg-ben', 'ben@example.test', [{ title: 'Everything <done>', status: 'done' }]);
    await person('dg-cy', null, [{ title: 'No address' }]);
    for (let i = 0; i < 150; i += 1)
      await person(`dg-many-${String(i).padStart(3, '0')}`, `m${i}@example.test`, [{ title: `chore ${i}` }]);

    const first = recordingMailer();
    const second = recordingMailer();
    // Before the send time nothing is due.
    expect(await scheduler(first, at('06:59:00')).step()).toBe(0);
    await Promise.all([scheduler(first, at('07:05:00')).step(), scheduler(second, at('07:05:00')).step()]);
    const sent = [...first.sent, ...second.sent];
    const recipients = sent.map((mail) => mail.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(151);
    expect(recipients).not.toContain('ben@example.test');

    const ann = sent.find((mail) => mail.to === 'ann@example.test');
    expect(ann?.subject).toBe('Your tasks for Thursday 10 December: 4 open tasks, 2 overdue, 1 due today');
    expect(ann?.text).toContain('Good morning, DG-ANN.');
    // Overdue first (oldest due first), then due today, undated last.
    const order = ['Call back', 'Pay the invoice', 'Ship it', 'Undated idea'].map(
      (title) => ann?.text.indexOf(title) ?? -1,
    );
    expect(order.every((position, i) => position > 0 && (i === 0 || position > (order[i - 1] ?? 0)))).toBe(
      true,
    );
    expect(ann?.text).toContain('Call back (overdue since 1 Dec)');
    expect(ann?.text).toContain('Pay the invoice (overdue since 10 Dec, urgent priority)');
    expect(ann?.text).toContain('Ship it (due today, high priority)');
    expect(ann?.text).not.toContain('Old news');
    expect(ann?.html).toContain('href="https://tasks.example.test/app/tasks/');

    // The same day again: nothing more; an hour after the send time: not due.
    expect(await scheduler(first, at('07:30:00')).step()).toBe(0);
    expect(await scheduler(first, at('08:00:00')).step()).toBe(0);
    expect(first.sent.length + second.sent.length).toBe(151);
  });
});

describe('a worker killed mid-digest', () => {
  let smtp: SmtpFixture;
  let worker: ChildProcess | undefined;
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await smtp?.close();
  });

  const startWorker = async () => {
    const port = await freePort();
    const now = new Date();
    const sendAt = `${String(now.getUTCHours()).padStart(2, '0')}:${String(now.getUTCMinutes()).padStart(2, '0')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        WORKER_METRICS_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DIGEST_SEND_AT: sendAt,
        JOB_LEASE_SECONDS: '5',
      },
      stdio: 'ignore',
    });
    worker = child;
    return child;
  };

  it('sends each digest once after it is started again', async () => {
    smtp = await startSmtpFixture();
    // A mail server that takes 20 ms a message: the kill comes while digests are still owed.
    smtp.slowDown(20);
    await database.db.primary.query(
      `WITH u AS (
         INSERT INTO users (sub, name, email)
         SELECT 'dk-' || lpad(i::text, 3, '0'), NULL, 'k' || i || '@example.test' FROM generate_series(1, 300) i
         RETURNING sub)
       INSERT INTO tasks (id, title, status, owner_id) SELECT gen_random_uuid(), 'kill test', 'todo', sub FROM u`,
    );
    // Everyone with an address and an open task is owed today's digest (the first test's people too).
    const { rows: owedRows } = await database.db.primary.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u WHERE email IS NOT NULL
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.owner_id = u.sub AND t.status <> 'done')`,
    );
    const owed = owedRows[0]?.n ?? 0;
    const recipients = () => new Set(smtp.received.map((mail) => mail.to[0])).size;
    const killed = await startWorker();
    await eventually(() => smtp.received.length >= 60, 'the first digests', 60_000);
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await exited;
    const beforeKill = smtp.received.length;
    expect(beforeKill).toBeLessThan(owed);

    await startWorker();
    await eventually(
      () => recipients() >= owed,
      `${owed} digests (have ${recipients()}, ${smtp.attempts} delivery attempts)`,
      90_000,
    );
    const perRecipient = new Map<string, Set<string | undefined>>();
    for (const mail of smtp.received) {
      const to = mail.to[0] ?? '';
      perRecipient.set(to, (perRecipient.get(to) ?? new Set()).add(mail.messageId));
    }
    // One digest (one Message-ID) each; a copy only for the one in hand at the kill.
    expect([...perRecipient.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(smtp.received.length - owed).toBeLessThanOrEqual(1);
    console.info(
      `digests: ${owed} owed, ${beforeKill} before the kill, ${smtp.received.length} received in all`,
    );
    const { rows } = await database.db.primary.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM digest_deliveries WHERE day = current_date',
    );
    expect(rows[0]?.n).toBe(owed);
  }, 180_000);
});

describe('retention', () => {
  it('removes delivered events older than the retention and their claims, never pending ones', async () => {
    const insert = (age: string, published: boolean) =>
      database.db.primary.query(
        `INSERT INTO outbox (event_id, type, payload, created_at, published_at, stream_position)
         VALUES (gen_random_uuid(), 'task.created', '{}', now() - $1::interval,
                 CASE WHEN $2 THEN now() END, CASE WHEN $2 THEN nextval('outbox_stream_positions') END)
         RETURNING event_id`,
        [age, published],
      );
    const old = await insert('3 days', true);
    const oldPending = await insert('3 days', false);
    const recent = await insert('1 hour', true);
    await database.db.primary.query(
      `INSERT INTO processed_events (event_id, consumer) VALUES ($1, 'task-mail')`,
      [old.rows[0].event_id],
    );
    const removed = await pruneDeliveredEvents(database.db.primary, new Date(Date.now() - 24 * 3_600_000));
    expect(removed).toBeGreaterThanOrEqual(1);
    const left = await database.db.primary.query<{ event_id: string }>('SELECT event_id FROM outbox');
    const ids = left.rows.map((row) => row.event_id);
    expect(ids).not.toContain(old.rows[0].event_id);
    expect(ids).toContain(oldPending.rows[0].event_id);
    expect(ids).toContain(recent.rows[0].event_id);
    const claims = await database.db.primary.query('SELECT 1 FROM processed_events WHERE event_id = $1', [
      old.rows[0].event_id,
    ]);
    expect(claims.rowCount).toBe(0);
  });
});
