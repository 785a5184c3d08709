/**
 * The embedded start's in-process queue (no AMQP_URL), with a real SMTP
 * server: the same rules as RabbitMQ's. A created task's event is mailed
 * once; a mail server failing twice gets it on the 3rd attempt; one that
 * always fails leaves the event in `dead_letters` after exactly 3 attempts.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infra/db/database.ts';
import { createMailer, type Mailer } from '../../src/infra/mail/mailer.ts';
import { OutboxRelay } from '../../src/modules/events/outbox-relay.ts';
import {
  LocalQueueConsumer,
  localDeadLetters,
  localQueuePublisher,
} from '../../src/modules/notifications/local-queue.ts';
import { createNotificationHandler } from '../../src/modules/notifications/notifications.handler.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { type SmtpFixture, startSmtpFixture } from '../support/smtp-fixture.ts';
import { createTask } from '../support/task-helpers.ts';
import { databaseFor, eventually } from '../support/test-database.ts';

let api: RunningApi;
let db: Database;
let smtp: SmtpFixture;
let mailer: Mailer;
let relay: OutboxRelay;
let consumer: LocalQueueConsumer;

beforeAll(async () => {
  api = await startApi();
  db = databaseFor(api.database.url);
  smtp = await startSmtpFixture();
  mailer = createMailer({ smtpUrl: smtp.url, from: 'tasks@example.test', dataDir: '/nonexistent' });
  relay = new OutboxRelay(db, localQueuePublisher(db), { idleMs: 20 });
  const handle = createNotificationHandler({ db, mailer, log: pino({ level: 'silent' }) });
  consumer = new LocalQueueConsumer(db, handle, { retryBaseMs: 100, pollMs: 20 });
  relay.start();
  consumer.start();
});

afterAll(async () => {
  await consumer.stop();
  await relay.stop();
  mailer.close();
  await smtp.close();
  await db.close();
  await api.close();
});

const mailsFor = (taskId: string) => smtp.received.filter((mail) => mail.raw.includes(taskId));

describe('the in-process queue', () => {
  it('mails a created task to its owner once, and leaves nothing queued', async () => {
    const task = await createTask(api, 'bob', { title: 'embedded mail' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailsFor(task.id)).toHaveLength(1);
    expect(mailsFor(task.id)[0]?.to).toEqual(['bob@example.test']);
    const { rows } = await db.primary.query('SELECT 1 FROM local_queue');
    expect(rows).toHaveLength(0);
  });

  it('a mail server failing twice gets the e-mail on the 3rd attempt, once', async () => {
    const before = smtp.attempts;
    smtp.refuse(2);
    const task = await createTask(api, 'bob', { title: 'embedded third time' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail after two refusals');
    expect(mailsFor(task.id)).toHaveLength(1);
    expect(smtp.attempts - before).toBe(3);
  });

  it('a mail server that always fails leaves the event in dead_letters after exactly 3 attempts; a replay delivers it once', async () => {
    const before = smtp.attempts;
    smtp.refuse('always');
    const task = await createTask(api, 'bob', { title: 'embedded never' });
    const deadLetter = async () =>
      (
        await db.primary.query<{ attempts: number; last_error: string; failed_at: Date }>(
          `SELECT attempts, last_error, failed_at FROM dead_letters WHERE payload->>'task_id' = $1`,
          [task.id],
        )
      ).rows[0];
    await eventually(async () => (await deadLetter()) !== undefined, 'the dead letter');
    smtp.refuse(0);
    const letter = await deadLetter();
    expect(letter?.attempts).toBe(3);
    expect(letter?.last_error).toMatch(/451|busy/);
    expect(smtp.attempts - before).toBe(3);
    expect(mailsFor(task.id)).toHaveLength(0);
    const { rows } = await db.primary.query(`SELECT 1 FROM local_queue WHERE payload->>'task_id' = $1`, [
      task.id,
    ]);
    expect(rows).toHaveLength(0);

    // Reviewed and replayed once the mail server works again: delivered once, gone from dead_letters.
    const review = localDeadLetters(db);
    const listed = (await review.list()).find((item) => item.taskId === task.id);
    expect(listed).toMatchObject({ attempts: 3 });
    expect(await review.replay(listed?.eventId)).toBe(1);
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail after the replay');
    expect(mailsFor(task.id)).toHaveLength(1);
    expect((await review.list()).find((item) => item.taskId === task.id)).toBeUndefined();
  });
});
