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
import type { CacheStore, ClientMark, GenerationStore } from '../../infra/cache/cache-store.ts';
import { ObservedGenerations, type ReadView, viewFor } from '../../infra/cache/read-views.ts';
import type { Queryable } from '../../infra/db/database.ts';
import type { Lsn } from '../../infra/db/lsn.ts';
import type { ReadRouter } from '../../infra/db/read-router.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { encodeCursor, positionAfter } from './tasks.cursor.ts';
import { listTaskPages } from './tasks.listing-batches.ts';
import type { TaskPage } from './tasks.listing-schemas.ts';
import { type ListingQuery, listingKey } from './tasks.query.ts';
import * as repository from './tasks.repository.ts';
import type { Task } from './tasks.schemas.ts';

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

/** A read's generation and position; no position (the newest write's is unknown): the primary. */
type Route = Omit<ReadView, 'requiredLsn' | 'reason'> & Partial<Pick<ReadView, 'requiredLsn' | 'reason'>>;

interface DatabaseLoaders {
  tasks: DataLoader<string, Task | null>;
  /** The rows of each listing's page. */
  pages: DataLoader<ListingQuery, Task[]>;
}

export function pageOf(rows: Task[], listing: ListingQuery): TaskPage {
  const items = rows.slice(0, listing.limit);
  const last = items.at(-1);
  return {
    items,
    next_cursor: rows.length > listing.limit && last ? encodeCursor(positionAfter(listing.sort, last)) : null,
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
  private readonly unrecordedClients = new Set<string>();
  private readonly observed = new ObservedGenerations();
  private lastCacheErrorLog = 0;

  constructor(private readonly options: TaskReadsOptions) {}

  /** A page for `client` (the caller's token subject: whose writes it must show). */
  page(listing: ListingQuery, client: string): Promise<CachedJson> {
    return this.read('listing', listingKey(listing), client, async (db) =>
      pageOf(await this.loadersOf(db).pages.load(listing), listing),
    );
  }

  async task(id: string, client: string): Promise<Cached<Task | null>> {
    const { json, cache } = await this.read('task', `task=${id}`, client, (db) =>
      this.loadersOf(db).tasks.load(id),
    );
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
            (await Promise.allSettled(listTaskPages(db, listings))).map((page) =>
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
   * After a committed write by `client`: open a new generation at the write's commit
   * position, which becomes the client's own. Never fails the write, which is committed already.
   */
  async recordWrite(commitLsn: Lsn, client: string): Promise<void> {
    if (commitLsn > this.newestCommitLsn) this.newestCommitLsn = commitLsn;
    await this.settleWrites(client);
  }

  /** Opens a generation at the newest commit position this process has seen. */
  private async settleWrites(client?: string): Promise<boolean> {
    this.attempts += 1;
    const attempt = this.attempts;
    try {
      await this.options.generations.advance(this.newestCommitLsn, client);
      // Writers whose generation failed to open get their position now.
      for (const unrecorded of this.unrecordedClients) {
        await this.options.generations.recordSeen(unrecorded, this.newestCommitLsn);
        this.unrecordedClients.delete(unrecorded);
      }
      this.settledUpTo = Math.max(this.settledUpTo, attempt);
    } catch (error) {
      if (client !== undefined) this.unrecordedClients.add(client);
      this.failedUpTo = Math.max(this.failedUpTo, attempt);
      this.cacheFailed('generation', error);
    }
    return this.settledUpTo >= this.failedUpTo;
  }

  /** The current marks, or undefined when the cache cannot be trusted (down, or a write unrecorded). */
  private async writeMark(client: string): Promise<ClientMark | undefined> {
    const unsettled = this.settledUpTo < this.failedUpTo;
    if (unsettled && !(await this.settleWrites())) return undefined;
    try {
      const mark = await this.options.generations.current(client);
      this.observed.observe(mark);
      return mark;
    } catch (error) {
      this.cacheFailed('generation', error);
      return undefined;
    }
  }

  /** Where `client`'s read goes: read-views.ts; an unknown write position means the primary. */
  private routeOf(mark: ClientMark): Route {
    const { writeLsn } = mark;
    if (writeLsn === undefined) return { generation: mark.generation, requiredLsn: undefined };
    return viewFor({ ...mark, writeLsn }, this.options.router.replayedWithinBound(), this.observed);
  }

  private async read<T>(
    kind: string,
    key: string,
    client: string,
    query: (db: Queryable) => Promise<T>,
  ): Promise<CachedJson> {
    const { cache, metrics } = this.options;
    const mark = await this.writeMark(client);
    const route = mark ? this.routeOf(mark) : undefined;
    if (!mark || !route || this.options.ttlSeconds === 0) {
      // Cache untrusted, or off (CACHE_TTL_SECONDS=0): from the database, still routed per client.
      metrics.cacheRequests.labels(kind, 'bypass').inc();
      const json = JSON.stringify(await this.fromDatabase(query, route));
      if (mark && route) await this.rememberShown(client, mark, route);
      return { json, cache: 'bypass' };
    }
    const cacheKey = `tasks:g=${route.generation}:${key}`;
    const cached = await cache.get(cacheKey).catch((error: unknown) => this.cacheFailed(kind, error));
    let served: CachedJson;
    if (cached !== undefined) {
      metrics.cacheRequests.labels(kind, 'hit').inc();
      served = { json: cached, cache: 'hit' };
    } else {
      metrics.cacheRequests.labels(kind, 'miss').inc();
      let shared = this.inFlight.get(cacheKey);
      if (!shared) {
        shared = this.fill(cacheKey, route, query).finally(() => this.inFlight.delete(cacheKey));
        this.inFlight.set(cacheKey, shared);
      }
      served = { json: await shared, cache: 'miss' };
    }
    await this.rememberShown(client, mark, route);
    return served;
  }

  /**
   * A client shown the current generation while the replicas lack it must not be sent back to
   * them before they have it: its position becomes that generation's.
   */
  private async rememberShown(client: string, mark: ClientMark, route: Route): Promise<void> {
    const shown = mark.writeLsn;
    if (route.reason !== 'behind' || shown === undefined || (mark.clientLsn ?? 0n) >= shown) return;
    await this.options.generations
      .recordSeen(client, shown)
      .catch((error: unknown) => this.cacheFailed('generation', error));
  }

  private async fill<T>(cacheKey: string, route: Route, query: (db: Queryable) => Promise<T>) {
    const serialized = JSON.stringify(await this.fromDatabase(query, route));
    await this.options.cache
      .set(cacheKey, serialized, this.options.ttlSeconds)
      .catch((error: unknown) => this.cacheFailed('fill', error));
    return serialized;
  }

  /** On a replica that has replayed the route's position if there is one, else on the primary. */
  private async fromDatabase<T>(query: (db: Queryable) => Promise<T>, route: Route | undefined) {
    const choice = this.options.router.choose(route?.requiredLsn);
    const reason =
      route?.requiredLsn === undefined
        ? 'unknown_position'
        : choice.source === 'primary'
          ? 'behind_or_down'
          : route.reason === 'replica_view'
            ? 'replica_view'
            : 'caught_up';
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
