import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import pino from 'pino';
import type { Config } from '../config/config.ts';

/** Never logged, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
];

/**
 * The process's logger (the API's and the worker's): JSON lines to stdout,
 * and with LOG_DIR also to files rotated daily and at a size, the oldest
 * removed (pino-roll, in a worker thread). Stdout is written asynchronously:
 * a line goes out at once when no write is in flight, and the lines that
 * come while one is are written together after it, so a busy server makes
 * few writes (one synchronous write per line costs about a third of a cached
 * read's throughput, docs/performance.md) and a quiet one shows each line as
 * it happens (a minimum block size would hold a quiet server's lines, its
 * DEVELOPMENT warning among them, until exit). Both are flushed on exit.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFiles'>, name: string) {
  const options = { name, level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const stdout = pino.destination({ dest: 1, sync: false });
  if (!config.logFiles) return pino(options, stdout);
  const { dir, maxSize, keep } = config.logFiles;
  // One file per process: the processes of one `npm start` never rotate each other's file.
  const processName = cluster.isWorker ? `${name}-w${cluster.worker?.id}` : name;
  const files = pino.transport({
    target: 'pino-roll',
    options: {
      file: path.join(dir, processName),
      extension: '.log',
      size: maxSize,
      frequency: 'daily',
      limit: { count: keep },
      mkdir: true,
    },
  });
  return pino(
    options,
    pino.multistream([
      { stream: stdout, level: 'trace' },
      { stream: files, level: 'trace' },
    ]),
  );
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's (or NGINX's) X-Request-Id is kept when it is safe to log; otherwise a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
