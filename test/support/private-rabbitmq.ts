/**
 * A RabbitMQ node of the test's own (the machine's rabbitmq-server, Debian's
 * package, under its `rabbitmq` user) on free ports with its data in a
 * temporary folder, so a test can stop and restart a broker without
 * disturbing the machine's. Its data survives a restart, as a real broker's
 * does: durable queues and persistent messages are still there.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from 'rabbitmq-client';
import { freePort } from './private-redis.ts';

const run = promisify(execFile);

export interface PrivateRabbit {
  url: string;
  start(): Promise<void>;
  /** A clean shutdown (`rabbitmqctl stop`), as an operator's restart does. */
  stop(): Promise<void>;
  /** Stops the node for good and removes its folder. */
  close(): Promise<void>;
}

/** The `rabbitmq` user's ids, which the node runs as (the server script switches to it when run as root). */
async function rabbitmqOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'rabbitmq']),
    run('id', ['-g', 'rabbitmq']),
  ]);
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const [amqpPort, distributionPort] = [await freePort(), await freePort()];
  const node = `tasks-test-${amqpPort}@localhost`;
  const base = mkdtempSync(path.join(tmpdir(), 'tasks-rabbit-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(base, name), text);
    return path.join(base, name);
  };
  const env = {
    ...process.env,
    // Its own settings, not the machine node's (/etc/rabbitmq): name, ports, folders, no plugins.
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf', `NODENAME=${node}\nERL_EPMD_ADDRESS=127.0.0.1\n`),
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf', `listeners.tcp.local = 127.0.0.1:${amqpPort}\n`),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins', '[].\n'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distributionPort),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_PID_FILE: path.join(base, 'node.pid'),
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const owner = await rabbitmqOwner();
  if (owner) chownSync(base, owner.uid, owner.gid);
  for (const name of ['rabbitmq-env.conf', 'rabbitmq.conf', 'enabled_plugins'])
    if (owner) chownSync(path.join(base, name), owner.uid, owner.gid);

  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn('rabbitmq-server', [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const probe = new Connection({ url, retryLow: 200, retryHigh: 500 });
    probe.on('error', () => {});
    try {
      await probe.onConnect(60_000, true);
    } catch {
      throw new Error(`rabbitmq-server did not start on port ${amqpPort}:\n${output.slice(-2_000)}`);
    } finally {
      await probe.close();
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    await run('rabbitmqctl', ['-n', node, 'stop'], { env });
    await exited;
  };
  await start();
  const close = async () => {
    await stop();
    rmSync(base, { recursive: true, force: true });
  };
  return { url, start, stop, close };
}
