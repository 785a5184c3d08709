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

export interface GenerationStore {
  current(): Promise<WriteMark>;
  /** Opens a new generation for a write committed at `writeLsn` (kept as the maximum seen). */
  advance(writeLsn: Lsn): Promise<void>;
}
