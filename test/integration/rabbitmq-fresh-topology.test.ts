/**
 * The worker's first start on a broker that has never seen its queues, on
 * the machine's RabbitMQ: the relay's connection and the worker's both
 * declare the quorum queues at once, and a consume sent while a queue is
 * still starting is refused (RabbitMQ 3.10: INTERNAL_ERROR, `noproc` in its
 * log), which the client survives but the worker logs as a transport error.
 * Consuming waits for the topology, so a first start logs nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rabbitTransport } from '../../src/background/rabbitmq/rabbitmq-transport.ts';
import { connectTestBroker, TEST_AMQP_URL, TEST_RETRY_BASE_MS } from '../support/rabbitmq.ts';
import { eventually } from '../support/test-database.ts';

/**
 * Fresh starts at once, each with its own queues: the broker then starts a hundred quorum
 * queues together, which is what widens the window (one start at a time on an idle broker
 * rarely meets it).
 */
const STARTS_AT_ONCE = 20;
const ROUNDS = 3;

/** One worker's first start on queues of its own: its transport errors, after its first event. */
async function freshStart(round: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  const broker = await connectTestBroker();
  const transport = rabbitTransport({
    url: TEST_AMQP_URL,
    queue: broker.queue,
    retryBaseMs: TEST_RETRY_BASE_MS,
    onError: (error) => errors.push(error),
  });
  const handled: unknown[] = [];
  try {
    transport.consume(async (event) => {
      handled.push(event);
      return { outcome: 'processed' };
    });
    await transport.ready;
    await transport.publisher.publish([
      { id: 1, eventId: randomUUID(), type: 'task.created', payload: { round } },
    ]);
    await eventually(() => handled.length === 1, `${broker.queue}: the event consumed`, 20_000);
  } finally {
    await transport.close();
    await broker.close();
  }
  return errors;
}

describe('workers started on queues the broker has never seen', () => {
  it('consume their first event without a transport error', async () => {
    const errors: unknown[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const starts = Array.from({ length: STARTS_AT_ONCE }, () => freshStart(round));
      errors.push(...(await Promise.all(starts)).flat());
    }
    expect(errors.map(String)).toEqual([]);
  }, 180_000);
});
