/**
 * The one connection to the live stream (GET /tasks/stream), outside React.
 * The browser's EventSource reconnects by itself after a dropped connection
 * and sends `Last-Event-ID`, so nothing is lost or repeated. It gives up
 * only when the server refuses (a 401 once the cookie's token has expired,
 * a 503): then a fresh cookie and a new EventSource resuming with
 * `?last_event_id=`, after a growing pause. After each token renewal the
 * cookie is refreshed and the stream reopened with it at once, before the
 * server closes the old one at the old token's expiry.
 */
import { STREAM_PATH, TASK_EVENT_TYPES, type TaskEvent } from '../api/events.ts';

/** `connecting`: never open yet; `reconnecting`: was open, or refused, and is being re-established. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveStreamOptions {
  /** Puts the current access token in the stream's cookie (PUT /tasks/stream/cookie). */
  authorize(): Promise<void>;
  onEvent(event: TaskEvent): void;
  /** The resume point is older than the server keeps: everything shown must be reloaded. */
  onResync(): void;
  /** Open again after a drop (events missed meanwhile were replayed): views that failed meanwhile may retry. */
  onReconnected(): void;
  /** The unit tests' boundary; the browser's EventSource otherwise. */
  createEventSource?: (url: string) => EventSource;
}

/** EventSource.CLOSED: the browser gave up on this connection and will not retry it. */
const CLOSED = 2;

/** Pauses before re-establishing a refused stream; the last one repeats. */
export const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export interface LiveStream {
  state(): LiveState;
  subscribe(listener: () => void): () => void;
  /** Opens the stream, or reopens it with a fresh cookie (after a token renewal). */
  open(): Promise<void>;
  close(): void;
}

export function createLiveStream(options: LiveStreamOptions): LiveStream {
  const create = options.createEventSource ?? ((url: string) => new EventSource(url));
  let source: EventSource | undefined;
  let lastEventId: string | undefined;
  let state: LiveState = 'connecting';
  let refusals = 0;
  let dropped = false;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const setState = (next: LiveState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
  };

  const retryLater = () => {
    if (state === 'live') setState('reconnecting');
    dropped = true;
    const delay = RETRY_DELAYS_MS[Math.min(refusals, RETRY_DELAYS_MS.length - 1)];
    refusals += 1;
    retry = setTimeout(() => void open(), delay);
  };

  const listen = (stream: EventSource) => {
    stream.onopen = () => {
      refusals = 0;
      setState('live');
      if (dropped) options.onReconnected();
      dropped = false;
    };
    const received = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastEventId = message.lastEventId;
    };
    for (const type of TASK_EVENT_TYPES) {
      stream.addEventListener(type, (message) => {
        received(message);
        options.onEvent(JSON.parse(message.data) as TaskEvent);
      });
    }
    stream.addEventListener('resync', (message) => {
      lastEventId = message.lastEventId || undefined;
      options.onResync();
    });
    stream.onerror = () => {
      if (stream !== source) return;
      dropped = true;
      if (state === 'live') setState('reconnecting');
      // CONNECTING: the browser is already retrying, with Last-Event-ID. CLOSED: it was refused.
      if (stream.readyState === CLOSED) {
        stream.close();
        source = undefined;
        retryLater();
      }
    };
  };

  async function open(): Promise<void> {
    clearTimeout(retry);
    try {
      await options.authorize();
    } catch {
      if (!closed) retryLater();
      return;
    }
    if (closed) return;
    const previous = source;
    const url = lastEventId ? `${STREAM_PATH}?last_event_id=${encodeURIComponent(lastEventId)}` : STREAM_PATH;
    source = create(url);
    listen(source);
    // Closed only now, so nothing falls between the two; an event both carry is applied once
    // (the caches keep the newer version, see taskCache.ts).
    previous?.close();
  }

  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    open() {
      closed = false;
      return open();
    },
    close() {
      closed = true;
      clearTimeout(retry);
      source?.close();
      source = undefined;
    },
  };
}
