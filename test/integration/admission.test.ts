/**
 * Admission control on a real server over real connections: with two
 * requests being worked on (uploads whose bodies have not arrived) and one
 * waiting, the next request is refused at once with a 503 OVERLOADED
 * problem+json and Retry-After; a waiting request is refused when its wait
 * is up; probes still answer; and places freed are taken again.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type ProblemJson, type RunningApi, startApi } from '../support/api-harness.ts';

const QUEUE_TIMEOUT_MS = 400;
let api: RunningApi;
beforeAll(async () => {
  api = await startApi({
    ADMISSION_MAX_IN_FLIGHT: '2',
    ADMISSION_QUEUE_LENGTH: '1',
    ADMISSION_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
  });
});
afterAll(() => api?.close());

/** GET /tasks as bob, the token minted beforehand: the time measured is the server's. */
async function listing(): Promise<() => Promise<Response>> {
  const authorization = `Bearer ${await api.oidc.token('bob')}`;
  return () => fetch(`${api.baseUrl}/tasks`, { headers: { authorization } });
}

/** A POST whose body has not arrived yet: admitted, it holds its place until `finish`. */
async function pendingUpload(): Promise<{ finish(): Promise<string> }> {
  const token = await api.oidc.token('bob');
  const body = JSON.stringify({ title: 'held upload' });
  const socket = net.connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk) => received.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST /tasks HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${token}\r\n` +
      `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
  );
  return {
    async finish() {
      // Not ended from this side: the server answers, then closes (connection: close).
      socket.write(body);
      await closed;
      return Buffer.concat(received).toString('utf8');
    },
  };
}

/** Time for the server to read what was sent (a held upload's head, a request that then waits). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

async function expectOverloaded(response: Response, startedAt: number, within: number) {
  expect(Date.now() - startedAt).toBeLessThan(within);
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await bodyOf<ProblemJson>(response);
  expect(problem).toMatchObject({ status: 503, code: 'OVERLOADED' });
  expect(problem.detail).toMatch(/retry/i);
}

describe('admission control', () => {
  it('refuses at once past its places and its queue, refuses a wait that is up, and serves again when places free', async () => {
    const get = await listing();
    const held = [await pendingUpload(), await pendingUpload()];
    await settle();

    // One may wait: it is refused when its wait is up, not before, and not seconds later.
    const waitStarted = Date.now();
    const waiting = get();
    await settle();
    // The queue is full: refused at once.
    const refusedAt = Date.now();
    await expectOverloaded(await get(), refusedAt, QUEUE_TIMEOUT_MS / 2);
    const waited = await waiting;
    expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(QUEUE_TIMEOUT_MS - 20);
    await expectOverloaded(waited, waitStarted, QUEUE_TIMEOUT_MS + 500);

    // Probes and the metrics scrape are never refused.
    expect((await fetch(`${api.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(200);

    // A waiting request takes the place of one that finishes.
    const queued = get();
    await settle();
    expect(await held[0]?.finish()).toMatch(/^HTTP\/1\.1 201 /);
    expect((await queued).status).toBe(200);

    expect(await held[1]?.finish()).toMatch(/^HTTP\/1\.1 201 /);
    const after = await Promise.all([1, 2, 3].map(() => get()));
    expect(after.map((response) => response.status)).toEqual([200, 200, 200]);
  });

  it('gives back the place of a client that walks away', async () => {
    const get = await listing();
    const socket = net.connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.on('error', () => {});
    socket.write(
      'POST /tasks HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n',
    );
    const other = await pendingUpload();
    await settle();
    socket.destroy();
    await settle();
    // Both places would be taken if the gone client still held one: with one free, no wait, no refusal.
    const started = Date.now();
    const response = await get();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(QUEUE_TIMEOUT_MS);
    await other.finish();
  });
});
