import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.ts';

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
