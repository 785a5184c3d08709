import { LRUCache } from 'lru-cache';
import type { Lsn } from '../db/lsn.ts';
import type { CacheStore, GenerationStore, WriteMark } from './cache-store.ts';

/** In-process LRU, per worker process: the embedded default when no REDIS_URL is set. */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, string>;

  constructor(maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  async get(key: string) {
    return this.entries.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number) {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
  }
}

/** The generation of a single process that is the only writer of its database (embedded, one process). */
export class MemoryGenerationStore implements GenerationStore {
  private mark: WriteMark = { generation: 1, writeLsn: 0n };

  async current() {
    return this.mark;
  }

  async advance(writeLsn: Lsn) {
    const newest =
      this.mark.writeLsn !== undefined && this.mark.writeLsn > writeLsn ? this.mark.writeLsn : writeLsn;
    this.mark = { generation: this.mark.generation + 1, writeLsn: newest };
  }
}
