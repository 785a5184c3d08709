/**
 * A Server-Sent Events client for the tests, over a real HTTP connection:
 * parses the stream as it arrives (id, event, data and comments), waits for
 * events, and tells when the server ended the stream. node:http, not fetch:
 * closing must drop the TCP connection at once, as a browser tab does
 * (undici keeps an aborted response's socket for seconds).
 */
import http from 'node:http';
import https from 'node:https';
import { expect } from 'vitest';

export interface StreamMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export interface TestStream {
  status: number;
  messages: StreamMessage[];
  comments: string[];
  /** Resolves when the server ends the stream (or the connection drops). */
  ended: Promise<void>;
  /** Waits until `count` events of the task stream types arrived; returns them all. */
  waitForEvents(count: number, ms?: number): Promise<StreamMessage[]>;
  close(): void;
}

export const TASK_EVENT_TYPES = new Set(['task.created', 'task.updated', 'task.deleted']);

/** `ca`: the certificate to trust for an `https:` base URL (the stack's NGINX). */
export async function openStream(
  baseUrl: string,
  headers: Record<string, string>,
  query = '',
  tls: { ca?: Buffer } = {},
): Promise<TestStream> {
  const client = baseUrl.startsWith('https:') ? https : http;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    client
      .get(`${baseUrl}/tasks/stream${query}`, { headers, agent: false, ca: tls.ca }, resolve)
      .on('error', reject);
  });
  const messages: StreamMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const taskEvents = () => messages.filter((message) => TASK_EVENT_TYPES.has(message.event));

  const parse = (block: string) => {
    const message: StreamMessage = { id: undefined, event: 'message', data: '' };
    let isEvent = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      const [, field, value] = /^([a-z]+): ?(.*)$/.exec(line) ?? [];
      if (field === 'id') message.id = value;
      if (field === 'event') message.event = value ?? '';
      if (field === 'data') {
        message.data = value ?? '';
        isEvent = true;
      }
    }
    if (isEvent) messages.push(message);
  };

  const ended = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of response) {
        if (response.statusCode !== 200) continue;
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          parse(text.slice(0, end));
          text = text.slice(end + 2);
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted by close(), or the connection dropped: the stream has ended either way
    }
  })();

  return {
    status: response.statusCode ?? 0,
    messages,
    comments,
    ended,
    async waitForEvents(count, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (taskEvents().length < count) {
        const left = deadline - Date.now();
        expect(left, `${count} events within ${ms} ms (got ${taskEvents().length})`).toBeGreaterThan(0);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 100));
          waiters.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiters.clear();
      }
      return taskEvents();
    },
    close: () => response.destroy(),
  };
}
