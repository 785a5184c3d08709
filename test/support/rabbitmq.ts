/**
 * The machine's RabbitMQ for integration tests (AMQP_URL, default
 * amqp://guest:guest@127.0.0.1:5672), with a queue prefix of the test's own
 * so that test files never see each other's messages. No fallback: without
 * a broker these tests fail loudly.
 */
import { randomBytes } from 'node:crypto';
import { Connection } from 'rabbitmq-client';
import { type Topology, topologyOf } from '../../src/background/rabbitmq/topology.ts';

export const TEST_AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The tests' first retry delay: short, so that 3 attempts take half a second. */
export const TEST_RETRY_BASE_MS = 100;

export interface TestBroker {
  prefix: string;
  queue: string;
  /** The wing's queues under the test's prefix, with TEST_RETRY_BASE_MS. */
  topology: Topology;
  /** Takes every message now in the queue (acknowledged), in order. */
  drain(): Promise<
    { body: unknown; messageId: string | undefined; headers: Record<string, unknown> | undefined }[]
  >;
  /** Deletes the test's queues: the topology's (main, retries, dead letters) and `others`. */
  close(others?: string[]): Promise<void>;
}

export async function connectTestBroker(): Promise<TestBroker> {
  const prefix = `test-${randomBytes(4).toString('hex')}.`;
  const queue = `${prefix}task_processing`;
  const rabbit = new Connection({ url: TEST_AMQP_URL, retryLow: 100, retryHigh: 500 });
  // A connection error is followed by a reconnect; the test's own assertions say what matters.
  rabbit.on('error', () => {});
  await rabbit.onConnect(5_000, true);
  const channel = await rabbit.acquire();
  return {
    prefix,
    queue,
    topology: topologyOf(queue, TEST_RETRY_BASE_MS),
    async drain() {
      const messages = [];
      for (;;) {
        const message = await channel.basicGet({ queue, noAck: true });
        if (!message) return messages;
        messages.push({ body: message.body, messageId: message.messageId, headers: message.headers });
      }
    },
    async close(others = []) {
      for (const name of [
        ...topologyOf(queue, TEST_RETRY_BASE_MS).declarations.map((d) => d.queue),
        ...others,
      ])
        await channel.queueDelete({ queue: name }).catch(() => {});
      await channel.close();
      await rabbit.close();
    },
  };
}
