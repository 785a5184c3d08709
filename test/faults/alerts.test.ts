/**
 * The alerts on the running stack (`npm run stack`, whose Prometheus
 * evaluates the rules every 5 s instead of 15 s): a fault makes the matching
 * alert go pending within its `for` window, and recovery resolves it.
 * - the replica stopped: TasksPostgresReplicaDown;
 * - one message that can never succeed: dead-lettered by the worker, it is
 *   in task_processing.dlq, and TasksDeadLetters; purging resolves it;
 * - one API instance stopped: TasksInstanceDown.
 * Each restores the stack as it found it (the replica with its apply delay,
 * the instance running, the dead-letter queue empty).
 */
import { Connection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopPart } from '../../scripts/stack/postgres-topology.ts';
import { startStackReplica, startStackService, stopStackService } from '../../scripts/stack/stack.ts';
import { stackBroker } from '../../scripts/stack/stack-layout.ts';
import { deadLetterQueueOf } from '../../src/background/rabbitmq/topology.ts';
import { alertsOf, forSecondsOf, targets } from '../support/prometheus-client.ts';
import { eventually } from '../support/test-database.ts';

const QUEUE = 'task_processing';
/** A scrape (5 s) and an evaluation (5 s) after the fault, with room for a busy machine. */
const DETECTION_SLACK_MS = 20_000;

async function everyTargetUp(): Promise<void> {
  await eventually(
    async () => (await targets()).every((target) => target.health === 'up'),
    'every scrape target up',
    60_000,
  );
}

/** Causes the fault, then expects the alert pending (or firing) within its `for`, and resolved after `recover`. */
async function expectAlertCycle(alertname: string, fault: () => Promise<void>, recover: () => Promise<void>) {
  // Quiet before the fault, so that what follows is this fault's doing. The fault tests run
  // before this one stop and restart the same replica and primary: a scrape taken while the
  // restarted server was still coming up can keep an alert pending for a few evaluations
  // (seen in CI: TasksPostgresReplicaDown pending as this test began, every target up).
  await eventually(
    async () => (await alertsOf(alertname)).length === 0,
    `${alertname} not active before the fault`,
    60_000,
  );
  const forMs = (await forSecondsOf(alertname)) * 1_000;
  const started = Date.now();
  await fault();
  try {
    await eventually(
      async () => (await alertsOf(alertname)).length > 0,
      `${alertname} pending within its for (${forMs / 1_000} s)`,
      Math.max(forMs, DETECTION_SLACK_MS),
    );
    const pendingAfterMs = Date.now() - started;
    console.info(
      `${alertname}: pending ${(pendingAfterMs / 1_000).toFixed(1)} s after the fault (for: ${forMs / 1_000} s)`,
    );
    if (forMs > 0) expect(pendingAfterMs).toBeLessThan(forMs);
  } finally {
    await recover();
  }
  await eventually(
    async () => (await alertsOf(alertname)).length === 0,
    `${alertname} resolved after recovery`,
    60_000,
  );
}

let rabbit: Connection;

beforeAll(async () => {
  await everyTargetUp();
  rabbit = new Connection({ url: stackBroker.url, retryLow: 200, retryHigh: 1_000 });
  rabbit.on('error', () => {});
  await rabbit.onConnect(10_000, true);
});

afterAll(async () => {
  await rabbit?.close();
  await everyTargetUp();
});

describe('alerts on the running stack go pending within their for window, and resolve after recovery', () => {
  it('the replica stopped: TasksPostgresReplicaDown; started again (with its apply delay): resolved', async () => {
    await expectAlertCycle(
      'TasksPostgresReplicaDown',
      () => stopPart('replica'),
      () => startStackReplica(),
    );
  }, 180_000);

  it('one message that can never succeed, dead-lettered: TasksDeadLetters; the queue purged: resolved', async () => {
    const dlq = deadLetterQueueOf(QUEUE);
    const { messageCount } = await rabbit
      .queueDeclare({ queue: dlq, passive: true })
      .catch(() => ({ messageCount: 0 }));
    expect(
      messageCount,
      `${dlq} must be empty before the test (review it: npm run dead-letters -- list)`,
    ).toBe(0);
    const publisher = rabbit.createPublisher({ confirm: true });
    try {
      await expectAlertCycle(
        'TasksDeadLetters',
        async () => {
          // Not a task event: the worker dead-letters it at once (its contract check).
          await publisher.send(
            { routingKey: QUEUE, durable: true, contentType: 'application/json' },
            { not: 'an event' },
          );
          await eventually(
            // The worker declares the dead-letter queue with the first dead letter: until then it is NOT_FOUND.
            async () =>
              (await rabbit.queueDeclare({ queue: dlq, passive: true }).catch(() => ({ messageCount: 0 })))
                .messageCount === 1,
            `the message in ${dlq}`,
            30_000,
          );
        },
        async () => {
          await rabbit.queuePurge({ queue: dlq });
        },
      );
    } finally {
      await publisher.close();
    }
  }, 180_000);

  it('one API instance stopped: TasksInstanceDown; started again: resolved', async () => {
    await expectAlertCycle(
      'TasksInstanceDown',
      () => stopStackService('api-2'),
      () => startStackService('api-2'),
    );
  }, 180_000);
});
