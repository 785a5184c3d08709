/**
 * The two halves of the listing cache, each with a Redis and an in-process
 * adapter: where entries live (`CacheStore`) and which generation is
 * current (`GenerationStore`). A write opens a new generation; the
 * generation is part of every key, so every cached entry is stale at once.
 */
import type { Lsn } from '../db/lsn.ts';

export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/**
 * The newest write: the generation it opened and its WAL position, which a
 * replica must have replayed to serve this generation (undefined: unknown,
 * e.g. after Redis lost its data, so only the primary may answer).
 */
export interface WriteMark {
  generation: number;
  writeLsn: Lsn | undefined;
}

/**
 * The newest write, and the newest position one client (a token subject) has
 * written or been shown: its reads may use any view that has that position
 * (docs/read-path.md). undefined: nothing known of this client.
 */
export interface ClientMark extends WriteMark {
  clientLsn: Lsn | undefined;
}

export interface GenerationStore {
  current(client: string): Promise<ClientMark>;
  /**
   * Opens a new generation for a write committed at `writeLsn` (kept as the maximum seen),
   * which `client` made: its position becomes at least `writeLsn` (no client: a write from
   * outside the API, such as the seed).
   */
  advance(writeLsn: Lsn, client?: string): Promise<void>;
  /** `client` was shown data up to `lsn`: its reads never go back before it. */
  recordSeen(client: string, lsn: Lsn): Promise<void>;
}

/**
 * How long a client's position is kept: past it, every replica that may serve
 * (within REPLICA_MAX_LAG_SECONDS, at most an hour) has replayed it.
 */
export const CLIENT_POSITION_TTL_SECONDS = 2 * 3600;
