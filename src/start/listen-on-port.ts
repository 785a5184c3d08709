/**
 * How the API's workers listen under node:cluster: each on ACCEPTS_PER_TURN
 * sockets of its own on the one port (SO_REUSEPORT, Node.js 22.12 and later),
 * among which the kernel spreads new connections.
 *
 * Why not node:cluster's one shared socket: libuv (since 1.45) accepts one
 * connection per socket per turn of the event loop ("unix: don't accept()
 * connections in a loop", libuv/libuv#3696), and a worker busy with 500
 * connections turns about every 100 ms, so a burst of new connections waited
 * seconds in the kernel's queue before their first byte was read (bench c500,
 * docs/performance.md). With ACCEPTS_PER_TURN sockets a turn accepts up to
 * that many. Round robin (the primary accepting) is no way out: it hands a
 * worker one connection at a time and waits for it to take it, one per turn
 * again. Where reusePort is missing or does not spread connections (Node.js
 * 20, Windows, macOS), and for PORT=0, the workers share node:cluster's socket
 * as before.
 */
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { probeListen } from '../infra/listen-probe.ts';

/**
 * Sockets per worker: 4 held a two-worker node:http server's p99 at 500 new connections
 * at 69-95 ms, and its workers took 28-36 of a burst of 64 connections each.
 */
export const ACCEPTS_PER_TURN = 4;

/** The message a worker sends its primary once it accepts connections. */
const LISTENING = 'tasks:listening';

/** SO_REUSEPORT through node:net: Node.js 22.12 / 23.1 and later, on Linux and the BSDs. */
export function reusePortAvailable(version = process.versions.node, platform = process.platform): boolean {
  if (platform === 'win32' || platform === 'darwin') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** In the primary, before any database is started: a port in use fails the start here, once. */
export async function checkPortFree(host: string, port: number): Promise<void> {
  await probeListen(host, port).catch((error: NodeJS.ErrnoException) => {
    const hint =
      error.code === 'EADDRINUSE' ? ': something else is listening there (stop it, or set PORT)' : '';
    throw Object.assign(new Error(`cannot listen on ${host}:${port} (${error.code})${hint}`), {
      code: error.code,
    });
  });
}

/** In the primary: `onListening` once `worker` accepts connections. */
export function whenListening(worker: Worker, onListening: () => void): void {
  worker.on('message', (message: { act?: string }) => {
    if (message?.act === LISTENING) onListening();
  });
}

/** Serves `app` on the configured port: in a worker, on ACCEPTS_PER_TURN sockets where it can. */
export async function listenOnPort(app: FastifyInstance, config: Config): Promise<void> {
  const at = { port: config.port, host: config.host };
  // PORT=0 (any free port) must stay one port for every worker: node:cluster's socket then.
  if (cluster.isWorker && reusePortAvailable() && config.port !== 0) await listenOnOwnSockets(app, at);
  else await app.listen(at);
  if (cluster.isWorker) process.send?.({ act: LISTENING });
}

async function listenOnOwnSockets(app: FastifyInstance, at: { port: number; host: string }): Promise<void> {
  let extra: net.Server[] = [];
  // Fastify closes its own server after preClose, then the database. Its server does not
  // count the connections the other sockets took: they stop and end here, before either.
  app.addHook('preClose', async () => {
    const drained = extra.map((server) => new Promise((resolve) => server.close(resolve)));
    app.server.closeIdleConnections();
    await Promise.all(drained);
  });
  // Fastify's server listens on one; the others hand it their connections, so its timeouts
  // and keep-alive apply to every connection alike.
  await app.listen({ ...at, reusePort: true } as typeof at);
  extra = Array.from({ length: ACCEPTS_PER_TURN - 1 }, () =>
    net.createServer((socket) => app.server.emit('connection', socket)).listen({ ...at, reusePort: true }),
  );
  await Promise.all(extra.map((server) => once(server, 'listening')));
}
