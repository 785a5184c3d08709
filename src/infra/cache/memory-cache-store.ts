import { LRUCache } from 'lru-cache';
import type { Lsn } from '../db/lsn.ts';
import {
  type CacheStore,
  CLIENT_POSITION_TTL_SECONDS,
  type ClientMark,
  type GenerationStore,
  type WriteMark,
} from './cache-store.ts';

/**
 * In-process LRU, per worker process: the embedded default when no REDIS_URL is set.
 * Bounded by size as well as by count: a page of 100 tasks with long descriptions is over
 * 1 MB of JSON, so a count alone would not bound the memory.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, string>;

  /** `maxCharacters`: of keys and values together (a character is a byte in V8 for ASCII JSON). */
  constructor(maxEntries = 10_000, maxCharacters = 32 * 1024 * 1024) {
    this.entries = new LRUCache({
      max: maxEntries,
      maxSize: maxCharacters,
      sizeCalculation: (value, key) => value.length + key.length,
    });
  }

  async get(key: string) {
    return this.entries.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number) {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
  }
}

/**
 * The generation of a single process that is the only writer of its database
 * (embedded, one process), and its clients' positions, in memory.
 */
export class MemoryGenerationStore implements GenerationStore {
  private mark: WriteMark = { generation: 1, writeLsn: 0n };
  private readonly clients = new LRUCache<string, Lsn>({
    max: 100_000,
    ttl: CLIENT_POSITION_TTL_SECONDS * 1000,
  });

  async current(client: string): Promise<ClientMark> {
    return { ...this.mark, clientLsn: this.clients.get(client) };
  }

  async advance(writeLsn: Lsn, client?: string) {
    this.mark = { generation: this.mark.generation + 1, writeLsn: maxLsn(this.mark.writeLsn, writeLsn) };
    if (client !== undefined) await this.recordSeen(client, writeLsn);
  }

  async recordSeen(client: string, lsn: Lsn) {
    this.clients.set(client, maxLsn(this.clients.get(client), lsn));
  }
}

const maxLsn = (known: Lsn | undefined, lsn: Lsn) => (known !== undefined && known > lsn ? known : lsn);
