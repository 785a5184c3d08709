/**
 * The read path of tasks: the cache first, then a replica that has replayed
 * the newest write, else the primary. Every write opens a new cache
 * generation (part of every key), so all cached listings and tasks go stale
 * at once, and a page is only stored under a generation it is at least as
 * new as. Concurrent misses of one key in this process share one query,
 * and reads that arrive in one turn of the event loop are batched per
 * database: lookups by id into one query (`id = ANY(...)`), listing pages
 * into one query per shape.
 */
import DataLoader from 'dataloader';
import type { FastifyBaseLogger } from 'fastify';
import type { CacheStore, GenerationStore, WriteMark } from '../../infra/cache/cache-store.ts';
import type { Queryable } from '../../infra/db/database.ts';
import type { Lsn } from '../../infra/db/lsn.ts';
import type { ReadRouter } from '../../infra/db/read-router.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { encodeCursor } from './tasks.cursor.ts';
import { type ListingQuery, listingKey } from './tasks.query.ts';
import * as repository from './tasks.repository.ts';
import type { Task, TaskPage } from './tasks.schemas.ts';

/** `X-Cache` of a response: served from the cache, computed and stored, or computed without the cache. */
export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface Cached<T> {
  value: T;
  cache: CacheStatus;
}

/** A result as JSON text: what the cache holds, sent to the client without parsing it again. */
export interface CachedJson {
  json: string;
  cache: CacheStatus;
}

export interface TaskReadsOptions {
  cache: CacheStore;
  generations: GenerationStore;
  router: ReadRouter;
  ttlSeconds: number;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

const CACHE_ERROR_LOG_INTERVAL_MS = 30_000;

interface DatabaseLoaders {
  tasks: DataLoader<string, Task | null>;
  /** The rows of each listing's page. */
  pages: DataLoader<ListingQuery, Task[]>;
}

export function pageOf(rows: Task[], listing: ListingQuery): TaskPage {
  const items = rows.slice(0, listing.limit);
  const last = items.at(-1);
  const key = listing.sort.endsWith('updated_at') ? 'updated_at' : 'created_at';
  return {
    items,
    next_cursor:
      rows.length > listing.limit && last
        ? encodeCursor({ sort: listing.sort, key: last[key], id: last.id })
        : null,
  };
}

export class TaskReads {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly loaders = new WeakMap<Queryable, DatabaseLoaders>();
  /**
   * Settle attempts are numbered; a successful attempt n opens a generation
   * at or past every write whose attempt is numbered up to n (it advances to
   * the highest commit position seen). When a settle fails (the generation
   * store unreachable just after a commit), this process must not trust the
   * cache until a later attempt succeeds; it retries before each read.
   * Attempts still in flight do not count: their writes have not been
   * answered yet, so no read can depend on them.
   */
  private attempts = 0;
  private settledUpTo = 0;
  private failedUpTo = 0;
  private newestCommitLsn: Lsn = 0n;
  private lastCacheErrorLog = 0;

  constructor(private readonly options: TaskReadsOptions) {}

  page(listing: ListingQuery): Promise<CachedJson> {
    return this.read('listing', listingKey(listing), async (db) =>
      pageOf(await this.loadersOf(db).pages.load(listing), listing),
    );
  }

  async task(id: string): Promise<Cached<Task | null>> {
    const { json, cache } = await this.read('task', `task=${id}`, (db) => this.loadersOf(db).tasks.load(id));
    return { value: JSON.parse(json) as Task | null, cache };
  }

  /**
   * Reads on one database, batched: every read requested during one turn of
   * the event loop (all the requests read from the sockets in its poll
   * phase) goes out when the turn ends (setImmediate), so a round trip, the
   * costliest part of a read here, serves many requests. Each read is
   * requested after its request arrived and its query is sent after that, so
   * it sees every write committed before the request: batching, not caching
   * (no result outlives its query).
   */
  private loadersOf(db: Queryable): DatabaseLoaders {
    let loaders = this.loaders.get(db);
    if (!loaders) {
      const batching = { cache: false, batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch) };
      loaders = {
        tasks: new DataLoader(
          async (ids: readonly string[]) => {
            const byId = new Map((await repository.findTasks(db, ids)).map((task) => [task.id, task]));
            return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
          },
          { ...batching, maxBatchSize: 100 },
        ),
        // A page is up to 101 rows: a batch stays a few thousand rows at most.
        pages: new DataLoader(
          async (listings: readonly ListingQuery[]) =>
            (await Promise.allSettled(repository.listTaskPages(db, listings))).map((page) =>
              page.status === 'fulfilled' ? page.value : (page.reason as Error),
            ),
          { ...batching, maxBatchSize: 32 },
        ),
      };
      this.loaders.set(db, loaders);
    }
    return loaders;
  }

  /**
   * After a committed write: open a new generation at the write's commit
   * position. Never fails the write, which is committed already.
   */
  async recordWrite(commitLsn: Lsn): Promise<void> {
    if (commitLsn > this.newestCommitLsn) this.newestCommitLsn = commitLsn;
    await this.settleWrites();
  }

  /** Opens a generation at the newest commit position this process has seen. */
  private async settleWrites(): Promise<boolean> {
    this.attempts += 1;
    const attempt = this.attempts;
    try {
      await this.options.generations.advance(this.newestCommitLsn);
      this.settledUpTo = Math.max(this.settledUpTo, attempt);
    } catch (error) {
      this.failedUpTo = Math.max(this.failedUpTo, attempt);
      this.cacheFailed('generation', error);
    }
    return this.settledUpTo >= this.failedUpTo;
  }

  /** The current write mark, or undefined when the cache cannot be trusted (down, or a write unrecorded). */
  private async writeMark(): Promise<WriteMark | undefined> {
    const unsettled = this.settledUpTo < this.failedUpTo;
    if (unsettled && !(await this.settleWrites())) return undefined;
    try {
      return await this.options.generations.current();
    } catch (error) {
      this.cacheFailed('generation', error);
      return undefined;
    }
  }

  private async read<T>(
    kind: string,
    key: string,
    query: (db: Queryable) => Promise<T>,
  ): Promise<CachedJson> {
    const { cache, metrics } = this.options;
    const mark = await this.writeMark();
    if (this.options.ttlSeconds === 0) {
      // Caching off (CACHE_TTL_SECONDS=0): every read from the database, still routed by the write mark.
      metrics.cacheRequests.labels(kind, 'bypass').inc();
      return { json: JSON.stringify(await this.fromDatabase(query, mark?.writeLsn)), cache: 'bypass' };
    }
    if (!mark) {
      metrics.cacheRequests.labels(kind, 'bypass').inc();
      return { json: JSON.stringify(await this.fromDatabase(query, undefined)), cache: 'bypass' };
    }
    const cacheKey = `tasks:g=${mark.generation}:${key}`;
    const cached = await cache.get(cacheKey).catch((error: unknown) => this.cacheFailed(kind, error));
    if (cached !== undefined) {
      metrics.cacheRequests.labels(kind, 'hit').inc();
      return { json: cached, cache: 'hit' };
    }
    metrics.cacheRequests.labels(kind, 'miss').inc();
    let shared = this.inFlight.get(cacheKey);
    if (!shared) {
      shared = this.fill(cacheKey, mark, query).finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, shared);
    }
    return { json: await shared, cache: 'miss' };
  }

  private async fill<T>(cacheKey: string, mark: WriteMark, query: (db: Queryable) => Promise<T>) {
    const serialized = JSON.stringify(await this.fromDatabase(query, mark.writeLsn));
    await this.options.cache
      .set(cacheKey, serialized, this.options.ttlSeconds)
      .catch((error: unknown) => this.cacheFailed('fill', error));
    return serialized;
  }

  /** On a replica that has replayed `requiredLsn` if there is one, else on the primary. */
  private async fromDatabase<T>(query: (db: Queryable) => Promise<T>, requiredLsn: Lsn | undefined) {
    const choice = this.options.router.choose(requiredLsn);
    const reason =
      requiredLsn === undefined
        ? 'unknown_position'
        : choice.source === 'replica'
          ? 'caught_up'
          : 'behind_or_down';
    this.options.metrics.dbReads.labels(choice.source, reason).inc();
    if (choice.source === 'primary') return query(choice.pool);
    try {
      return await query(choice.pool);
    } catch (error) {
      choice.markFailed();
      this.options.log.warn({ err: error }, 'replica read failed; reading from the primary');
      this.options.metrics.dbReads.labels('primary', 'replica_failed').inc();
      return query(this.options.router.choose(undefined).pool);
    }
  }

  /** Cache trouble never fails a request: counted always, logged once in a while. */
  private cacheFailed(kind: string, error: unknown): undefined {
    this.options.metrics.cacheRequests.labels(kind, 'error').inc();
    const now = Date.now();
    if (now - this.lastCacheErrorLog > CACHE_ERROR_LOG_INTERVAL_MS) {
      this.lastCacheErrorLog = now;
      this.options.log.warn({ err: error }, 'cache unavailable: serving from the database');
    }
    return undefined;
  }
}
