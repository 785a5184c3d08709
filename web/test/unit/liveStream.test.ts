import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskEvent } from '../../src/api/events.ts';
import { createLiveStream, RETRY_DELAYS_MS } from '../../src/live/liveStream.ts';

/** The browser's EventSource at the unit's boundary: the test opens, delivers and fails it. */
class FakeSource {
  static made: FakeSource[] = [];
  readyState = 0;
  closed = false;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly handlers = new Map<string, (message: MessageEvent<string>) => void>();
  constructor(readonly url: string) {
    FakeSource.made.push(this);
  }
  addEventListener(type: string, handler: (message: MessageEvent<string>) => void) {
    this.handlers.set(type, handler);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  deliver(type: string, id: string, data: unknown = {}) {
    this.handlers.get(type)?.({ lastEventId: id, data: JSON.stringify(data) } as MessageEvent<string>);
  }
  /** A dropped connection (the browser retries itself) or a refused one (it gives up). */
  fail(refused: boolean) {
    this.readyState = refused ? 2 : 0;
    this.onerror?.();
  }
}

const last = () => FakeSource.made.at(-1) as FakeSource;

function setUp() {
  const events: TaskEvent[] = [];
  const options = {
    authorize: vi.fn(async () => {}),
    onEvent: (event: TaskEvent) => events.push(event),
    onResync: vi.fn(),
    onReconnected: vi.fn(),
    createEventSource: (url: string) => new FakeSource(url) as unknown as EventSource,
  };
  return { stream: createLiveStream(options), options, events };
}

describe('the live stream', () => {
  beforeEach(() => {
    FakeSource.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('puts the cookie first, then opens; events arrive; a drop the browser retries shows as reconnecting', async () => {
    const { stream, options, events } = setUp();
    await stream.open();
    expect(options.authorize).toHaveBeenCalledTimes(1);
    expect(last().url).toBe('/tasks/stream');
    expect(stream.state()).toBe('connecting');
    last().open();
    expect(stream.state()).toBe('live');
    last().deliver('task.created', '7', { task_id: 't' });
    expect(events).toEqual([{ task_id: 't' }]);
    last().fail(false);
    expect(stream.state()).toBe('reconnecting');
    expect(FakeSource.made).toHaveLength(1);
    last().open();
    expect(stream.state()).toBe('live');
    expect(options.onReconnected).toHaveBeenCalledTimes(1);
  });

  it('refused (an expired cookie): a fresh cookie and a new stream resuming after the last event, later and later', async () => {
    const { stream, options } = setUp();
    await stream.open();
    last().open();
    last().deliver('task.updated', '41');
    last().fail(true);
    expect(stream.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(RETRY_DELAYS_MS[0] as number);
    expect(options.authorize).toHaveBeenCalledTimes(2);
    expect(last().url).toBe('/tasks/stream?last_event_id=41');
    last().fail(true);
    await vi.advanceTimersByTimeAsync(RETRY_DELAYS_MS[0] as number);
    expect(FakeSource.made).toHaveLength(2);
    await vi.advanceTimersByTimeAsync((RETRY_DELAYS_MS[1] as number) - (RETRY_DELAYS_MS[0] as number));
    expect(FakeSource.made).toHaveLength(3);
    last().open();
    expect(stream.state()).toBe('live');
  });

  it('reopened after a renewal: the new stream resumes, the old one closes, no reconnecting shown', async () => {
    const { stream } = setUp();
    await stream.open();
    const first = last();
    first.open();
    first.deliver('task.deleted', '9');
    await stream.open();
    expect(first.closed).toBe(true);
    expect(last().url).toBe('/tasks/stream?last_event_id=9');
    expect(stream.state()).toBe('live');
  });

  it('a resync starts over: reload, and no resume point', async () => {
    const { stream, options } = setUp();
    await stream.open();
    last().open();
    last().deliver('resync', '');
    expect(options.onResync).toHaveBeenCalledTimes(1);
    await stream.open();
    expect(last().url).toBe('/tasks/stream');
  });

  it('closed: no retry after a refusal', async () => {
    const { stream } = setUp();
    await stream.open();
    const source = last();
    stream.close();
    source.fail(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSource.made).toHaveLength(1);
  });
});
