/**
 * Background notifications end to end, on the machine's RabbitMQ and a real
 * SMTP server: a created task's event is relayed, consumed and mailed to
 * its owner exactly once; a mail server that fails twice gets the mail on
 * the 3rd attempt; one that always fails leaves the event in the dead-letter
 * queue after exactly 3 attempts, with the reason; a redelivered event sends
 * nothing again.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxBacklogRepository } from '../../src/background/outbox-backlog.repository.ts';
import { OutboxRelay } from '../../src/background/outbox-relay.ts';
import { rabbitTransport } from '../../src/background/rabbitmq/rabbitmq-transport.ts';
import type { EventTransport } from '../../src/background/transport.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { createMailer, type Mailer } from '../../src/infra/mail/mailer.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../../src/observability/worker-metrics.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { testDispatcher } from '../support/background.ts';
import { linkedTaskIds } from '../support/mail-links.ts';
import {
  connectTestBroker,
  TEST_AMQP_URL,
  TEST_RETRY_BASE_MS,
  type TestBroker,
} from '../support/rabbitmq.ts';
import { type SmtpFixture, startSmtpFixture } from '../support/smtp-fixture.ts';
import { createTask, subOf } from '../support/task-helpers.ts';
import { databaseFor, eventually } from '../support/test-database.ts';

let api: RunningApi;
let db: Database;
let broker: TestBroker;
let smtp: SmtpFixture;
let rabbit: Connection;
let transport: EventTransport;
let mailer: Mailer;
let relay: OutboxRelay;
let metrics: WorkerMetrics;

beforeAll(async () => {
  api = await startApi();
  db = databaseFor(api.database.url);
  broker = await connectTestBroker();
  metrics = createWorkerMetrics(outboxBacklogRepository(db.primary));
  smtp = await startSmtpFixture();
  mailer = createMailer({ smtpUrl: smtp.url, from: 'tasks@example.test', dataDir: '/nonexistent' });
  rabbit = new Connection(TEST_AMQP_URL);
  // The broker may close a connection (RabbitMQ 3.10 answers a consume on a quorum queue whose
  // process is still starting with INTERNAL_ERROR): the client reconnects, as the worker's does.
  rabbit.on('error', () => {});
  transport = rabbitTransport({
    url: TEST_AMQP_URL,
    queue: broker.queue,
    retryBaseMs: TEST_RETRY_BASE_MS,
    onError: () => {},
  });
  transport.consume(testDispatcher(db, mailer), {
    onHandled: (outcome, seconds) => {
      metrics.messages.labels(outcome).inc();
      metrics.processingDuration.observe(seconds);
    },
  });
  relay = new OutboxRelay(db, transport.publisher, {
    idleMs: 20,
    onPublished: (count) => metrics.outboxPublished.inc(count),
  });
  relay.start();
});

afterAll(async () => {
  await relay.stop();
  await transport.close();
  await rabbit.close();
  mailer.close();
  await smtp.close();
  await broker.close();
  await db.close();
  await api.close();
});

const mailsFor = (taskId: string) => smtp.received.filter((mail) => linkedTaskIds(mail.raw).includes(taskId));
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

describe('task.created notifications', () => {
  it('a created task sends its owner exactly one e-mail, with a Message-ID from its event', async () => {
    const task = await createTask(api, 'bob', { title: 'mail me' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail');
    await settle();
    const mails = mailsFor(task.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['bob@example.test']);
    const { rows } = await db.primary.query<{ event_id: string }>(
      `SELECT event_id FROM outbox WHERE payload->>'task_id' = $1`,
      [task.id],
    );
    expect(mails[0]?.messageId).toBe(`<${rows[0]?.event_id}@tasks.events>`);
  });

  it('a mail server failing twice gets the e-mail on the 3rd attempt, once', async () => {
    const before = smtp.attempts;
    smtp.refuse(2);
    const task = await createTask(api, 'bob', { title: 'third time lucky' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail after two refusals');
    await settle();
    expect(mailsFor(task.id)).toHaveLength(1);
    expect(smtp.attempts - before).toBe(3);
  });

  it('a mail server that always fails leaves the event in the dead-letter queue after exactly 3 attempts; a replay delivers it once', async () => {
    const before = smtp.attempts;
    smtp.refuse('always');
    const task = await createTask(api, 'bob', { title: 'never delivered' });
    const review = transport.deadLetters;
    const letterOf = async () => (await review.list()).find((letter) => letter.taskId === task.id);
    await eventually(async () => (await letterOf()) !== undefined, 'the dead letter');
    const letter = await letterOf();
    expect(letter?.attempts).toBe(3);
    expect(String(letter?.lastError)).toMatch(/451|busy/);
    expect(Date.parse(String(letter?.failedAt))).not.toBeNaN();
    expect(smtp.attempts - before).toBe(3);
    expect(mailsFor(task.id)).toHaveLength(0);
    // Listing gave every dead letter back: it is still there.
    expect(await letterOf()).toBeDefined();

    smtp.refuse(0);
    expect(await review.replay(letter?.eventId)).toBe(1);
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail after the replay');
    await settle();
    expect(mailsFor(task.id)).toHaveLength(1);
    expect(await letterOf()).toBeUndefined();
  });

  it('an event delivered again sends nothing again', async () => {
    const task = await createTask(api, 'bob', { title: 'only once' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail');
    const { rows } = await db.primary.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox WHERE payload->>'task_id' = $1`,
      [task.id],
    );
    const again = rabbit.createPublisher({ confirm: true });
    await again.send({ routingKey: broker.queue, durable: true }, rows[0]?.payload);
    await again.close();
    await settle();
    expect(mailsFor(task.id)).toHaveLength(1);
  });

  it('the worker metrics count each outcome of the events above and the outbox backlog', async () => {
    const text = await metrics.registry.metrics();
    const value = (series: string) =>
      Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    expect(value('tasks_worker_messages_total{outcome="processed"}')).toBeGreaterThanOrEqual(4);
    expect(value('tasks_worker_messages_total{outcome="retried"}')).toBe(4);
    expect(value('tasks_worker_messages_total{outcome="dead_lettered"}')).toBe(1);
    expect(value('tasks_worker_messages_total{outcome="duplicate"}')).toBe(1);
    expect(value('tasks_outbox_published_total')).toBe(4);
    expect(value('tasks_outbox_pending')).toBe(0);
    expect(value('tasks_worker_processing_duration_seconds_count')).toBeGreaterThanOrEqual(10);
  });

  it("a task an admin creates for bob is mailed to bob's address, from the directory (not the admin's token)", async () => {
    // bob has called the API once: the directory knows his address.
    expect((await api.request('bob', 'GET', '/tasks')).status).toBe(200);
    await eventually(async () => {
      const { rows } = await db.primary.query('SELECT 1 FROM users WHERE sub = $1', [subOf('bob')]);
      return rows.length === 1;
    }, 'bob in the directory');
    const task = await createTask(api, 'alice', { title: 'for bob, from alice', owner_id: subOf('bob') });
    await eventually(() => mailsFor(task.id).length > 0, "the e-mail to the task's owner");
    await settle();
    expect(mailsFor(task.id).map((mail) => mail.to)).toEqual([['bob@example.test']]);
  });

  it('two deliveries of one event handled at the same time send one e-mail', async () => {
    const task = await createTask(api, 'bob', { title: 'twice at once' });
    await eventually(() => mailsFor(task.id).length > 0, 'the e-mail');
    const { rows } = await db.primary.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox WHERE payload->>'task_id' = $1`,
      [task.id],
    );
    // The same event under an id no consumer has seen, handled twice at once (as a redelivery racing the original).
    const event = { ...rows[0]?.payload, event_id: randomUUID() };
    const handle = testDispatcher(db, mailer);
    const results = await Promise.all([handle(event, 1, undefined), handle(event, 1, undefined)]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['duplicate', 'processed']);
    expect(
      smtp.received.filter((mail) => mail.messageId === `<${event.event_id}@tasks.events>`),
    ).toHaveLength(1);
  });
});
