/**
 * One open event stream: Server-Sent Events framing on the raw response,
 * the catch-up of a resuming client, heartbeats and the bound on what may
 * queue up for a slow client.
 *
 * A resuming client (Last-Event-ID) first gets the events after its last
 * one, read from the outbox, while live events wait in a buffer; then the
 * buffer, skipping what the catch-up already sent. So nothing is lost or
 * repeated. A client that reads slower than events arrive is cut off once
 * `maxQueuedBytes` wait for it: it reconnects and resumes from the database,
 * so a slow client costs its own latency, never the server's memory.
 */
import type { ServerResponse } from 'node:http';
import type { Principal } from '../../auth/principal.ts';
import type { StreamEvent } from './stream.repository.ts';
import type { StreamSubscriber } from './stream-hub.ts';

export interface StreamConnectionOptions {
  heartbeatMs: number;
  maxQueuedBytes: number;
  /** What the client waits before reconnecting (the `retry` field). */
  retryMs: number;
  onClose: (connection: StreamConnection, reason: string) => void;
}

/** Each event's frame, built once however many streams it goes to. */
const frames = new WeakMap<StreamEvent, string>();
function frameOf(event: StreamEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.position}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

export class StreamConnection implements StreamSubscriber {
  private lastSent = 0;
  /** Live events that arrive while the catch-up runs; undefined once live. */
  private pending: StreamEvent[] | undefined = [];
  private pendingBytes = 0;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    readonly principal: Principal,
    readonly seesAll: boolean,
    private readonly options: StreamConnectionOptions,
  ) {
    this.write(`retry: ${options.retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    response.on('close', () => this.close('client went away'));
  }

  /** The catch-up is done: sends what waited meanwhile, then every event as it comes. */
  goLive(sentThrough: number): void {
    this.lastSent = Math.max(this.lastSent, sentThrough);
    const waiting = this.pending ?? [];
    this.pending = undefined;
    for (const event of waiting) this.send(event);
  }

  /** One event of the catch-up. */
  replay(event: StreamEvent): void {
    this.send(event);
  }

  /** Tells the client its Last-Event-ID is older than what is kept: reload, then follow. */
  resync(): void {
    this.write('event: resync\ndata: {}\n\n');
  }

  deliver(event: StreamEvent): void {
    if (this.closed) return;
    if (this.pending) {
      this.pending.push(event);
      this.pendingBytes += event.data.length;
      if (this.pendingBytes > this.options.maxQueuedBytes) this.close('too slow to catch up');
      return;
    }
    this.send(event);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.pending = undefined;
    // Whatever still waits for a client that does not read is dropped, not flushed: closed now.
    if (this.response.writableLength > 0) this.response.destroy();
    else this.response.end();
    this.options.onClose(this, reason);
  }

  private send(event: StreamEvent): void {
    if (event.position <= this.lastSent) return;
    this.lastSent = event.position;
    this.write(frameOf(event));
  }

  private write(text: string): void {
    if (this.closed) return;
    this.response.write(text);
    // What the socket has not taken yet: a client that does not read lets it grow.
    if (this.response.writableLength > this.options.maxQueuedBytes) this.close('client too slow');
  }
}
