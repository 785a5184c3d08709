/**
 * A RabbitMQ node of the test's own (scripts/stack/rabbitmq-node.ts) on free
 * ports with its data in a temporary folder, so a test can stop and restart
 * a broker without disturbing the machine's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RabbitNode, rabbitNode } from '../../scripts/stack/rabbitmq-node.ts';
import { freePort } from './private-redis.ts';

export interface PrivateRabbit extends RabbitNode {
  /** Stops the node for good and removes its folder. */
  close(): Promise<void>;
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tasks-rabbit-'));
  const node = rabbitNode({ dir, amqpPort: await freePort(), distributionPort: await freePort() });
  await node.start();
  return {
    ...node,
    async close() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
