/**
 * The background wing as the worker starts it (startBackgroundWork), on the
 * machine's RabbitMQ and PostgreSQL: right after the start, with nothing
 * failed yet, the whole topology exists (the main queue, its retry queues,
 * the dead-letter queue); a second worker declares it again without a
 * conflict; an event of a type no consumer takes is acknowledged and
 * counted as skipped, not retried nor dead-lettered; one that breaks its
 * contract still goes to the dead letters at once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Connection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackgroundWork, startBackgroundWork } from '../../src/background/start.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import {
  connectTestBroker,
  TEST_AMQP_URL,
  TEST_RETRY_BASE_MS,
  type TestBroker,
} from '../support/rabbitmq.ts';
import { eventually } from '../support/test-database.ts';

let api: RunningApi;
let broker: TestBroker;
let rabbit: Connection;
let dataDir: string;
let config: Config;
let work: BackgroundWork;

beforeAll(async () => {
  api = await startApi();
  broker = await connectTestBroker();
  rabbit = new Connection(TEST_AMQP_URL);
  rabbit.on('error', () => {});
  dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-wing-'));
  config = loadConfig({
    DATABASE_URL: api.database.url,
    OIDC_ISSUER: api.oidc.issuer,
    DATA_DIR: dataDir,
    AMQP_URL: TEST_AMQP_URL,
    AMQP_QUEUE_PREFIX: broker.prefix,
    WORKER_RETRY_BASE_MS: String(TEST_RETRY_BASE_MS),
    LOG_LEVEL: 'silent',
  });
  work = startBackgroundWork(config, pino({ level: 'silent' }));
});

afterAll(async () => {
  await work.stop();
  await rabbit.close();
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
  await api.close();
});

/** The queue as the broker has it now; rejects (NOT_FOUND) when it does not exist. */
const checkQueue = (queue: string) => rabbit.queueDeclare({ queue, passive: true });

const outcomes = async () => {
  const text = await work.metrics.registry.metrics();
  const count = (outcome: string) =>
    Number(
      new RegExp(`^tasks_worker_messages_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { skipped: count('skipped'), retried: count('retried'), deadLettered: count('dead_lettered') };
};

async function publish(body: Record<string, unknown>) {
  const publisher = rabbit.createPublisher({ confirm: true });
  await publisher.send({ routingKey: broker.queue, durable: true, contentType: 'application/json' }, body);
  await publisher.close();
}

describe('the background wing on RabbitMQ', () => {
  it('declares the main queue, its retry queues and the dead-letter queue at start, before anything failed', async () => {
    await work.ready;
    const names = broker.topology.declarations.map((declaration) => declaration.queue);
    expect(names).toEqual([
      broker.queue,
      `${broker.queue}.dlq`,
      `${broker.queue}.retry.100ms`,
      `${broker.queue}.retry.400ms`,
    ]);
    for (const queue of names) await expect(checkQueue(queue), queue).resolves.toMatchObject({ queue });
    expect((await checkQueue(`${broker.queue}.dlq`)).messageCount).toBe(0);
    expect(await outcomes()).toEqual({ skipped: 0, retried: 0, deadLettered: 0 });
  });

  it('a second worker declares the same topology again without a conflict', async () => {
    const second = startBackgroundWork(config, pino({ level: 'silent' }));
    try {
      await expect(second.ready).resolves.toBeUndefined();
    } finally {
      await second.stop();
    }
  });

  /**
   * Whether the worker has counted a dead letter since `before`: the message reaches the
   * dead-letter queue a moment before its outcome is counted, so a test waits for both.
   */
  const deadLetteredSince = async (before: { deadLettered: number }) =>
    (await outcomes()).deadLettered > before.deadLettered;

  it('an event of a type no consumer takes is acknowledged and skipped, not retried nor dead-lettered', async () => {
    await work.ready;
    const before = await outcomes();
    await publish({ version: 2, type: 'project.archived', event_id: randomUUID() });
    await eventually(async () => (await outcomes()).skipped === before.skipped + 1, 'the skipped event');
    const after = await outcomes();
    expect(after.retried - before.retried).toBe(0);
    expect(after.deadLettered - before.deadLettered).toBe(0);
    for (const queue of broker.topology.declarations.map((declaration) => declaration.queue))
      expect((await checkQueue(queue)).messageCount, queue).toBe(0);
  });

  it('an event of a known type that breaks its contract is dead-lettered at once', async () => {
    const before = await outcomes();
    await publish({ version: 2, type: 'task.created', event_id: 'not-a-uuid' });
    await eventually(
      async () =>
        (await checkQueue(`${broker.queue}.dlq`)).messageCount === 1 && (await deadLetteredSince(before)),
      'the dead letter, queued and counted',
    );
    const after = await outcomes();
    expect(after.deadLettered - before.deadLettered).toBe(1);
    expect(after.retried - before.retried).toBe(0);
  });

  it('a message that is not an event (no type) is dead-lettered at once, for someone to look at', async () => {
    const before = await outcomes();
    const dead = (await checkQueue(`${broker.queue}.dlq`)).messageCount;
    await publish({ not: 'an event' });
    await eventually(
      async () =>
        (await checkQueue(`${broker.queue}.dlq`)).messageCount === dead + 1 &&
        (await deadLetteredSince(before)),
      'the dead letter, queued and counted',
    );
    const after = await outcomes();
    expect(after.deadLettered - before.deadLettered).toBe(1);
    expect(after.skipped - before.skipped).toBe(0);
  });
});
