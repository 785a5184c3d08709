/**
 * One per API process: follows the stream (announcements from the
 * sequencer, then the events up to them read once from the database) and
 * hands each event to the open streams that may see it, indexed by owner
 * so an event costs only its audience. Reads are single-flight: announcements
 * that arrive during a read coalesce into the next one, and events are
 * dispatched strictly in position order. Every 250 ms it closes the streams
 * whose token expired or whose session was logged out.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import type { Queryable } from '../../infra/db/database.ts';
import type { StreamSignal } from '../../infra/stream-signal/stream-signal.ts';
import { eventsAfter, STREAM_BATCH, type StreamEvent, streamBounds } from './stream.repository.ts';

export interface StreamSubscriber {
  readonly principal: Principal;
  /** Sees every task (admin, viewer), or only its subject's. */
  readonly seesAll: boolean;
  deliver(event: StreamEvent): void;
  close(reason: string): void;
}

export interface StreamHubOptions {
  db: Queryable;
  signal: StreamSignal;
  isRevoked: (principal: Principal) => boolean;
  log: FastifyBaseLogger;
  sweepMs?: number;
}

export class StreamHub {
  /** The last position dispatched. */
  private position = 0;
  private readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private initialized = false;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private readonly all = new Set<StreamSubscriber>();
  private readonly byOwner = new Map<string, Set<StreamSubscriber>>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: StreamHubOptions) {
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.sweep = setInterval(() => this.closeEnded(), options.sweepMs ?? 250);
    this.sweep.unref();
  }

  /** Starts following; a database that cannot be reached yet is retried by the signal. */
  start(): void {
    this.options.signal
      .listen({ onPosition: () => this.catchUp(), onConnected: () => void this.connected() })
      .catch((error: unknown) =>
        this.options.log.warn({ err: error }, 'live stream: not listening yet; retrying'),
      );
  }

  /** Adds a stream; resolves with the position it joins at (it receives every later event). */
  async subscribe(subscriber: StreamSubscriber): Promise<number> {
    await this.ready;
    if (subscriber.seesAll) this.all.add(subscriber);
    else {
      const subject = subscriber.principal.subject;
      const owned = this.byOwner.get(subject) ?? new Set();
      owned.add(subscriber);
      this.byOwner.set(subject, owned);
    }
    return this.position;
  }

  unsubscribe(subscriber: StreamSubscriber): void {
    this.all.delete(subscriber);
    const owned = this.byOwner.get(subscriber.principal.subject);
    owned?.delete(subscriber);
    if (owned?.size === 0) this.byOwner.delete(subscriber.principal.subject);
  }

  get size(): number {
    let count = this.all.size;
    for (const owned of this.byOwner.values()) count += owned.size;
    return count;
  }

  /** Ends every stream (clients reconnect elsewhere and resume) and stops following. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const subscriber of [...this.all, ...[...this.byOwner.values()].flatMap((set) => [...set])])
      subscriber.close('server shutting down');
    await this.options.signal.close();
  }

  private async connected(): Promise<void> {
    try {
      if (!this.initialized) {
        // Streams start at the present; a resuming client reads its gap itself.
        this.position = (await streamBounds(this.options.db)).newest;
        this.initialized = true;
        this.markReady();
      } else this.catchUp();
    } catch (error) {
      this.options.log.warn({ err: error }, 'live stream: cannot read the stream position; retrying');
      setTimeout(() => void this.connected(), 1_000).unref();
    }
  }

  private catchUp(): void {
    if (!this.initialized) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readAll()
      .catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'live stream: reading events failed; retrying');
        setTimeout(() => this.catchUp(), 1_000).unref();
      })
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.catchUp();
        }
      });
  }

  private async readAll(): Promise<void> {
    for (;;) {
      const events = await eventsAfter(this.options.db, this.position);
      for (const event of events) this.dispatch(event);
      if (events.length < STREAM_BATCH) return;
    }
  }

  private dispatch(event: StreamEvent): void {
    this.position = event.position;
    for (const subscriber of this.all) subscriber.deliver(event);
    for (const owner of new Set([event.ownerId, event.previousOwnerId])) {
      if (owner === null) continue;
      const owned = this.byOwner.get(owner);
      if (owned) for (const subscriber of owned) subscriber.deliver(event);
    }
  }

  private closeEnded(): void {
    const now = Date.now();
    const check = (subscriber: StreamSubscriber) => {
      if (this.options.isRevoked(subscriber.principal)) subscriber.close('session logged out');
      else if (subscriber.principal.expiresAt * 1000 <= now) subscriber.close('access token expired');
    };
    for (const subscriber of this.all) check(subscriber);
    for (const owned of this.byOwner.values()) for (const subscriber of owned) check(subscriber);
  }
}
