/**
 * Where the stack lives and listens: its folder (.stack/), its ports, its
 * database and broker, and the options it was last started with, which every
 * part of the stack and the tests that drive it share.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OBSERVABILITY_PORTS } from './observability.ts';
import { topologyUrls } from './postgres-topology.ts';
import { rabbitNode } from './rabbitmq-node.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const STACK_DIR = path.join(ROOT, '.stack');
export const STACK_PORTS = {
  redis: 6480,
  amqp: 5682,
  amqpDistribution: 25682,
  apis: [8101, 8102],
  workerMetrics: 9464,
  http: 8080,
  https: 8443,
  prometheus: 9090,
} as const;
export const DATABASE = 'tasks';
export const stackUrls = topologyUrls(DATABASE);
export const stackBroker = rabbitNode({
  dir: path.join(STACK_DIR, 'rabbitmq'),
  amqpPort: STACK_PORTS.amqp,
  distributionPort: STACK_PORTS.amqpDistribution,
  prometheusPort: OBSERVABILITY_PORTS.rabbitmqPrometheus,
});

/** How the running stack was started: a test that stops a part starts it again the same way. */
export interface StackOptions {
  /** The replica's recovery_min_apply_delay, e.g. '3s'. */
  applyDelay: string;
  /** NGINX on every address instead of loopback. */
  listenAll: boolean;
}
const OPTIONS_FILE = path.join(STACK_DIR, 'options.json');
export function stackOptions(): StackOptions {
  const defaults = { applyDelay: '0', listenAll: false };
  return existsSync(OPTIONS_FILE)
    ? { ...defaults, ...JSON.parse(readFileSync(OPTIONS_FILE, 'utf8')) }
    : defaults;
}
export function saveStackOptions(options: StackOptions): void {
  mkdirSync(STACK_DIR, { recursive: true });
  writeFileSync(OPTIONS_FILE, `${JSON.stringify(options)}\n`);
}
