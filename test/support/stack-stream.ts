/**
 * A live stream of the running stack watched the way the web app keeps one
 * open: through NGINX over HTTPS, reopened whenever it ends (an instance
 * killed, the token expired) with `Last-Event-ID`, and a fresh token. It
 * counts each task's `task.created` events, so a test can tell that every
 * acknowledged create reached the stream once: none lost, none repeated
 * across the reconnections.
 */
import type { TestUser } from './oidc-fixture.ts';
import { openStream, type TestStream } from './sse-client.ts';
import { accessTokenFor, STACK_URL, stackCertificate } from './stack-client.ts';

export interface WatchedStream {
  /** `task.created` events seen per task id. */
  created: Map<string, number>;
  /** How many times the stream was opened again after it ended. */
  reopened: number;
  /** Resolves once the stream is first open (events from then on are counted). */
  open: Promise<void>;
  stop(): void;
}

export function watchStackStream(user: TestUser): WatchedStream {
  let markOpen = () => {};
  const watched: WatchedStream = {
    created: new Map(),
    reopened: 0,
    open: new Promise<void>((resolve) => {
      markOpen = resolve;
    }),
    stop: () => {},
  };
  let stopped = false;
  let current: TestStream | undefined;
  let lastEventId: string | undefined;
  let seen = 0;
  watched.stop = () => {
    stopped = true;
    current?.close();
  };
  const keepOpen = async () => {
    for (let opened = 0; !stopped; opened += 1) {
      if (opened > 0) watched.reopened += 1;
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${await accessTokenFor(user)}` };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        current = await openStream(STACK_URL, headers, '', { ca: stackCertificate() });
        seen = 0;
        const stream = current;
        if (stream.status === 200) markOpen();
        const take = () => {
          for (const message of stream.messages.slice(seen)) {
            lastEventId = message.id ?? lastEventId;
            if (message.event === 'task.created') {
              const taskId = (JSON.parse(message.data) as { task_id: string }).task_id;
              watched.created.set(taskId, (watched.created.get(taskId) ?? 0) + 1);
            }
          }
          seen = stream.messages.length;
        };
        const poll = setInterval(take, 50);
        await stream.ended;
        clearInterval(poll);
        take();
      } catch {
        // The stack's door is down for a moment (an instance killed): try again shortly.
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  void keepOpen();
  return watched;
}
