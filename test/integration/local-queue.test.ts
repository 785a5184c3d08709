/**
 * The embedded start's in-process queue (no AMQP_URL), with a real SMTP
 * server: the same rules as RabbitMQ's. A created task's event is mailed
 * once; a mail server failing twice gets it on the 3rd attempt; one that
 * always fails leaves the event in `dead_letters` after exactly 3 attempts;
 * an event of a type no consumer takes is dropped, not dead-lettered.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventTransport } from '../../src/background/transport.ts';
import type { Database } from '../../src/infra/db/database.ts';
import type { RunningApi } from '../support/api-harness.ts';
import { type LocalPipeline, startLocalPipeline } from '../support/background.ts';
import { linkedTaskIds } from '../support/mail-links.ts';
import type { SmtpFixture } from '../support/smtp-fixture.ts';
import { createTask } from '../support/task-helpers.ts';
import { eventually } from '../support/test-database.ts';

let pipeline: LocalPipeline;
let api: RunningApi;
let db: Database;
let smtp: SmtpFixture;
let transport: EventTransport;

beforeAll(async () => {
  pipeline = await startLocalPipeline();
  ({ api, db, smtp, transport } = pipeline);
});

afterAll(() => pipeline.close());

const mailsFor = (taskId: string) => smtp.received.filter((mail) => linkedTaskIds(mail.raw).includes(taskId));

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
    const review = transport.deadLetters;
    const listed = (await review.list()).find((item) => item.taskId === task.id);
    expect(listed).toMatchObject({ attempts: 3 });
    expect(await review.replay(listed?.eventId)).toBe(1);
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail after the replay');
    expect(mailsFor(task.id)).toHaveLength(1);
    expect((await review.list()).find((item) => item.taskId === task.id)).toBeUndefined();
  });

  it('an event of a type no consumer takes is taken off the queue, not retried nor dead-lettered', async () => {
    const eventId = randomUUID();
    await db.primary.query('INSERT INTO local_queue (event_id, payload) VALUES ($1, $2)', [
      eventId,
      { version: 2, type: 'project.archived', event_id: eventId },
    ]);
    const left = async (table: string) =>
      (await db.primary.query(`SELECT 1 FROM ${table} WHERE event_id = $1`, [eventId])).rowCount;
    await eventually(async () => (await left('local_queue')) === 0, 'the event taken off the queue');
    expect(await left('dead_letters')).toBe(0);
  });
});
