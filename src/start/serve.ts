/** Serving the API in this process: built, listening, and closed gracefully on a signal. */
import cluster from 'node:cluster';
import type { Config } from '../config/config.ts';
import { listenOnPort } from './listen-on-port.ts';

/** Serves until SIGTERM/SIGINT, then finishes in-flight requests and runs `afterClose`. */
export async function serve(config: Config, afterClose: () => Promise<void> = async () => {}): Promise<void> {
  // Loaded only where the API is served: a cluster primary serves nothing, and would carry it all for nothing.
  const { buildApp } = await import('../app.ts');
  const app = await buildApp(config);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await afterClose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (cluster.isWorker) {
    // Ctrl-C reaches the whole process group: the primary decides, and sends SIGTERM.
    process.on('SIGINT', () => {});
    // A worker never outlives its primary.
    process.on('disconnect', () => void shutdown('primary gone'));
  } else {
    process.on('SIGINT', () => void shutdown('SIGINT'));
  }
  await listenOnPort(app, config);
}
