import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
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
 * The process's logger (the API's and the worker's). Lines are buffered and
 * written asynchronously, a few KiB at a time: one synchronous write per line
 * costs about a third of a cached read's throughput (docs/performance.md).
 * The buffer is flushed on exit.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, name: string) {
  return pino(
    { name, level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's (or NGINX's) X-Request-Id is kept when it is safe to log; otherwise a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
