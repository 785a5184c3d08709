/**
 * The outbox relay against the machine's real RabbitMQ: every created task's
 * event reaches `task_processing` exactly once, with its id and request id,
 * also with two relays running at once, and one task's events in version
 * order; while the broker cannot be reached
 * nothing is marked published and nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/background/outbox-relay.ts';
import {
  createRabbitPublisher,
  type RabbitPublisher,
} from '../../src/background/rabbitmq/rabbitmq-publisher.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { freePort } from '../support/private-redis.ts';
import { connectTestBroker, TEST_AMQP_URL, type TestBroker } from '../support/rabbitmq.ts';
import { createTask } from '../support/task-helpers.ts';
import { databaseFor } from '../support/test-database.ts';

let api: RunningApi;
let db: Database;
let broker: TestBroker;
let publisher: RabbitPublisher;

beforeAll(async () => {
  api = await startApi();
  db = databaseFor(api.database.url);
  broker = await connectTestBroker();
  publisher = createRabbitPublisher(TEST_AMQP_URL, broker.topology);
});

afterAll(async () => {
  await publisher.close();
  await broker.close();
  await db.close();
  await api.close();
});

async function pendingCount(): Promise<number> {
  const { rows } = await db.primary.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return rows[0]?.n ?? -1;
}

async function relayAll(relay: OutboxRelay): Promise<void> {
  while ((await relay.relayBatch()) > 0);
}

describe('outbox relay to RabbitMQ', () => {
  it('publishes each created task event once, with its event id and request id, and marks it published', async () => {
    const task = await createTask(api, 'bob', { title: 'tell the owner' }, { 'x-request-id': 'req-relay-1' });
    await relayAll(new OutboxRelay(db, publisher));

    const messages = await broker.drain();
    expect(messages).toHaveLength(1);
    const message = messages[0] as (typeof messages)[number];
    expect(message.body).toMatchObject({
      type: 'task.created',
      task_id: task.id,
      request_id: 'req-relay-1',
    });
    expect(message.messageId).toBe((message.body as { event_id: string }).event_id);
    expect(message.headers?.['x-request-id']).toBe('req-relay-1');
    expect(await pendingCount()).toBe(0);
  });

  it('two relays at once publish 200 events exactly once each', async () => {
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => createTask(api, 'dave', { title: `event ${i}` })),
    );
    const options = { batchSize: 20 };
    await Promise.all([
      relayAll(new OutboxRelay(db, publisher, options)),
      relayAll(new OutboxRelay(db, publisher, options)),
    ]);

    const taskIds = (await broker.drain()).map((message) => (message.body as { task_id: string }).task_id);
    expect(taskIds).toHaveLength(200);
    expect(new Set(taskIds)).toEqual(new Set(created.map((task) => task.id)));
    expect(await pendingCount()).toBe(0);
  });

  it("two relays at once deliver one task's events in version order (batches never overtake)", async () => {
    const task = await createTask(api, 'bob', { title: 'v1' });
    for (let version = 2; version <= 30; version++) {
      const patched = await api.request('bob', 'PATCH', `/tasks/${task.id}`, {
        json: { title: `v${version}` },
      });
      expect(patched.status).toBe(200);
    }
    const options = { batchSize: 3 };
    const untilEmpty = async (relay: OutboxRelay) => {
      while ((await pendingCount()) > 0) await relay.relayBatch();
    };
    await Promise.all([
      untilEmpty(new OutboxRelay(db, publisher, options)),
      untilEmpty(new OutboxRelay(db, publisher, options)),
    ]);
    const versions = (await broker.drain()).map(
      (message) => (message.body as { task_version: number }).task_version,
    );
    expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('while the broker cannot be reached nothing is marked published; afterwards every event is delivered', async () => {
    const unreachable = createRabbitPublisher(
      `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      broker.topology,
    );
    const waiting = await Promise.all(
      Array.from({ length: 5 }, (_, i) => createTask(api, 'bob', { title: `while down ${i}` })),
    );
    const failing = new OutboxRelay(db, unreachable);
    await expect(failing.relayBatch()).rejects.toThrow(/timed out/);
    await unreachable.close();
    expect(await pendingCount()).toBe(5);

    await relayAll(new OutboxRelay(db, publisher));
    const taskIds = (await broker.drain()).map((message) => (message.body as { task_id: string }).task_id);
    expect(taskIds.sort()).toEqual(waiting.map((task) => task.id).sort());
  });

  it('a started relay keeps relaying new events until stopped', async () => {
    const relay = new OutboxRelay(db, publisher, { idleMs: 50 });
    relay.start();
    const task = await createTask(api, 'bob', { title: 'picked up by the loop' });
    for (let waited = 0; waited < 5_000 && (await pendingCount()) > 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await relay.stop();
    const messages = await broker.drain();
    expect(messages.map((message) => (message.body as { task_id: string }).task_id)).toEqual([task.id]);
  });
});
