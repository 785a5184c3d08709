/**
 * How every API instance learns that the live stream moved on: the
 * sequencer announces the newest position, each instance's hub reads the
 * events up to it from the database. An announcement carries only a number,
 * so a lost one costs nothing but time: the next one (or the catch-up after
 * a reconnection) covers every position before it.
 *
 * Redis pub/sub with REDIS_URL (the topology: PgBouncer in transaction mode
 * cannot carry LISTEN); PostgreSQL LISTEN/NOTIFY otherwise (the embedded
 * start, a direct connection).
 */
import { PostgresStreamSignal } from './postgres-stream-signal.ts';
import { RedisStreamSignal } from './redis-stream-signal.ts';

export const STREAM_CHANNEL = 'tasks_stream';

export interface StreamSignalListener {
  /** The stream reached `position`. */
  onPosition(position: number): void;
  /** (Re)connected: announcements may have been missed, catch up. */
  onConnected(): void;
}

export interface StreamSignal {
  /** Tells every listening instance that the stream reached `position`. */
  announce(position: number): Promise<void>;
  /** Starts delivering announcements; resolves once listening. */
  listen(listener: StreamSignalListener): Promise<void>;
  close(): Promise<void>;
}

export interface StreamSignalSettings {
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** A direct PostgreSQL connection (LISTEN needs a session). */
  databaseUrl: string;
  onError: (error: unknown) => void;
}

export function createStreamSignal(settings: StreamSignalSettings): StreamSignal {
  if (settings.redisUrl) {
    return new RedisStreamSignal(
      settings.redisUrl,
      `${settings.redisKeyPrefix}${STREAM_CHANNEL}`,
      settings.onError,
    );
  }
  return new PostgresStreamSignal(settings.databaseUrl, STREAM_CHANNEL, settings.onError);
}
