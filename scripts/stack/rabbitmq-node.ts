/**
 * A RabbitMQ node of our own (the machine's rabbitmq-server, Debian's
 * package) with its own name, ports and folder, beside the machine's node:
 * the stack runs one, and the fault tests run one they may stop. Its data
 * survives a restart, as a real broker's does. As root, the server script
 * runs the node as the `rabbitmq` user, so the folder is handed to it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from 'rabbitmq-client';

const run = promisify(execFile);

export interface RabbitNodeOptions {
  /** Folder for its configuration, data and logs. */
  dir: string;
  amqpPort: number;
  distributionPort: number;
  /** With it, the rabbitmq_prometheus plugin serves /metrics (per queue) on this loopback port. */
  prometheusPort?: number;
}

export interface RabbitNode {
  url: string;
  /** Starts the node (unless it already answers) and resolves once AMQP connections succeed. */
  start(): Promise<void>;
  /** A clean shutdown (`rabbitmqctl stop`), as an operator's restart does. */
  stop(): Promise<void>;
}

async function rabbitmqOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'rabbitmq']),
    run('id', ['-g', 'rabbitmq']),
  ]);
  return { uid: Number(uid), gid: Number(gid) };
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const probe = new Connection({ url, retryLow: 200, retryHigh: 500 });
  probe.on('error', () => {});
  try {
    await probe.onConnect(timeoutMs, true);
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

export function rabbitNode(options: RabbitNodeOptions): RabbitNode {
  const dir = path.resolve(options.dir);
  const node = `tasks-${options.amqpPort}@localhost`;
  const url = `amqp://guest:guest@127.0.0.1:${options.amqpPort}`;
  const file = (name: string) => path.join(dir, name);
  const env = {
    ...process.env,
    // Its own settings, not the machine node's (/etc/rabbitmq): name, ports, folders, its plugins.
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(options.amqpPort),
    RABBITMQ_DIST_PORT: String(options.distributionPort),
    RABBITMQ_MNESIA_BASE: file('mnesia'),
    RABBITMQ_LOG_BASE: file('log'),
    RABBITMQ_PID_FILE: file('node.pid'),
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  let child: ChildProcess | undefined;

  const prepare = async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file('rabbitmq-env.conf'), `NODENAME=${node}\nERL_EPMD_ADDRESS=127.0.0.1\n`);
    const prometheus =
      options.prometheusPort === undefined
        ? []
        : [
            `prometheus.tcp.ip = 127.0.0.1`,
            `prometheus.tcp.port = ${options.prometheusPort}`,
            // Per-queue series (a queue label), so the dead-letter queue has its own alert.
            'prometheus.return_per_object_metrics = true',
          ];
    writeFileSync(
      file('rabbitmq.conf'),
      [`listeners.tcp.local = 127.0.0.1:${options.amqpPort}`, ...prometheus, ''].join('\n'),
    );
    writeFileSync(
      file('enabled_plugins'),
      options.prometheusPort === undefined ? '[].\n' : '[rabbitmq_prometheus].\n',
    );
    const owner = await rabbitmqOwner();
    if (owner)
      for (const name of ['.', ...readdirSync(dir)]) chownSync(path.join(dir, name), owner.uid, owner.gid);
  };

  return {
    url,
    async start() {
      if (await answers(url, 500)) return;
      await prepare();
      // Detached, its output in a file: it outlives the command that started it (npm run stack).
      const output = openSync(file('server.out'), 'a');
      child = spawn('rabbitmq-server', [], { env, detached: true, stdio: ['ignore', output, output] });
      child.unref();
      if (!(await answers(url, 60_000)))
        throw new Error(
          `rabbitmq-server did not start on port ${options.amqpPort} (see ${file('server.out')})`,
        );
    },
    async stop() {
      if (!existsSync(file('rabbitmq-env.conf'))) return;
      await run('rabbitmqctl', ['-n', node, 'stop'], { env }).catch(() => {});
      const running = child;
      if (running && running.exitCode === null)
        await new Promise((resolve) => {
          running.once('exit', resolve);
          setTimeout(resolve, 10_000).unref();
        });
    },
  };
}
