import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { Queryable } from '../../infra/db/database.ts';
import { createStreamSignal } from '../../infra/stream-signal/stream-signal.ts';
import { StreamHub, type StreamHubOptions } from './stream-hub.ts';

/** This process's live-stream hub, following the sequencer's announcements; closed with the app. */
export function startStreamHub(
  app: FastifyInstance,
  config: Config,
  primary: Queryable,
  revocations: { isRevoked: StreamHubOptions['isRevoked'] },
): StreamHub {
  const hub = new StreamHub({
    db: primary,
    signal: createStreamSignal({
      redisUrl: config.redisUrl,
      redisKeyPrefix: config.redisKeyPrefix,
      databaseUrl: config.database.migrationUrl ?? config.database.url ?? '',
      onError: (error) => app.log.warn({ err: error }, 'live stream: signal connection error; reconnecting'),
    }),
    isRevoked: (principal) => revocations.isRevoked(principal),
    log: app.log,
  });
  hub.start();
  // Before the server waits for open connections to end: the streams end here.
  app.addHook('preClose', () => hub.close());
  return hub;
}
