/**
 * The live stream (GET /tasks/stream) across two API instances sharing a
 * database, with the sequencer running, fanned out by PostgreSQL
 * LISTEN/NOTIFY (the embedded start) and by a private Redis (the topology):
 * a client on instance A sees a write made on instance B; a user's stream
 * carries only their own tasks; a dropped connection resumed with
 * Last-Event-ID loses and repeats nothing; logout closes the stream within a
 * second; the stream cookie stands in for the Authorization header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamSequencer } from '../../src/background/stream-sequencer.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { createStreamSignal, type StreamSignal } from '../../src/infra/stream-signal/stream-signal.ts';
import type { TaskEvent } from '../../src/modules/tasks/tasks.events.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';
import { openStream, type StreamMessage } from '../support/sse-client.ts';
import { createTask, subOf } from '../support/task-helpers.ts';
import { databaseFor } from '../support/test-database.ts';

interface Instances {
  a: RunningApi;
  b: RunningApi;
  db: Database;
  signal: StreamSignal;
  sequencer: StreamSequencer;
  redis: PrivateRedis | undefined;
}

async function startInstances(fanOut: 'postgres' | 'redis'): Promise<Instances> {
  const redis = fanOut === 'redis' ? await startPrivateRedis() : undefined;
  const env = { STREAM_HEARTBEAT_SECONDS: '1', ...(redis ? { REDIS_URL: redis.url } : {}) };
  const a = await startApi(env);
  const b = await startApi(env, { database: a.database, oidc: a.oidc });
  const db = databaseFor(a.database.url);
  const signal = createStreamSignal({
    redisUrl: redis?.url,
    redisKeyPrefix: '',
    databaseUrl: a.database.url,
    onError: () => {},
  });
  const sequencer = new StreamSequencer(db, signal, { idleMs: 10, retryMs: 200 });
  sequencer.start();
  return { a, b, db, signal, sequencer, redis };
}

async function stopInstances(instances: Instances | undefined): Promise<void> {
  if (!instances) return;
  await instances.sequencer.stop();
  await instances.signal.close();
  await instances.b.close();
  await instances.a.close();
  await instances.db.close();
  await instances.redis?.stop();
}

const bearer = async (api: RunningApi, user: TestUser, claims: Record<string, unknown> = {}) => ({
  authorization: `Bearer ${await api.oidc.token(user, { claims })}`,
});
const eventOf = (message: StreamMessage | undefined) => JSON.parse(message?.data ?? 'null') as TaskEvent;

describe.each(['postgres', 'redis'] as const)('the live stream fanned out by %s', (fanOut) => {
  let instances: Instances;
  beforeAll(async () => {
    instances = await startInstances(fanOut);
  });
  afterAll(() => stopInstances(instances));

  it('a client on instance A sees a write made on instance B, as a TaskEvent with its position as id', async () => {
    const { a, b } = instances;
    const stream = await openStream(a.baseUrl, await bearer(a, 'bob'));
    expect(stream.status).toBe(200);
    try {
      const task = await createTask(b, 'bob', { title: 'seen on A' }, { 'x-request-id': 'req-live-1' });
      const [message] = await stream.waitForEvents(1);
      expect(message?.event).toBe('task.created');
      expect(Number(message?.id)).toBeGreaterThan(0);
      expect(eventOf(message)).toMatchObject({
        type: 'task.created',
        task_id: task.id,
        actor_id: subOf('bob'),
        request_id: 'req-live-1',
        changes: { title: { before: null, after: 'seen on A' } },
      });
      expect(eventOf(message)).not.toHaveProperty('owner_email');
    } finally {
      stream.close();
    }
  });

  it("a user's stream never carries another user's task; an admin's and a viewer's carry all", async () => {
    const { a, b } = instances;
    const [bob, alice, carol] = await Promise.all([
      openStream(a.baseUrl, await bearer(a, 'bob')),
      openStream(a.baseUrl, await bearer(a, 'alice')),
      openStream(b.baseUrl, await bearer(b, 'carol')),
    ]);
    try {
      const daves = await Promise.all([1, 2, 3].map((i) => createTask(b, 'dave', { title: `dave ${i}` })));
      const bobs = await createTask(b, 'bob', { title: 'bob last' });
      // Bob's stream gets his task, and the events before it are not Dave's.
      const [bobsEvent] = await bob.waitForEvents(1);
      expect(eventOf(bobsEvent).task_id).toBe(bobs.id);
      const all = new Set([...daves, bobs].map((task) => task.id));
      for (const stream of [alice, carol]) {
        const events = await stream.waitForEvents(4);
        expect(new Set(events.map((message) => eventOf(message).task_id))).toEqual(all);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bob.messages.map((message) => eventOf(message).owner_id)).toEqual([subOf('bob')]);
    } finally {
      for (const stream of [bob, alice, carol]) stream.close();
    }
  });

  it('resumed with Last-Event-ID after a dropped connection, it loses and repeats nothing', async () => {
    const { a, b } = instances;
    const headers = await bearer(a, 'bob');
    const first = await openStream(a.baseUrl, headers);
    const task = await createTask(b, 'bob', { title: 'r0' });
    for (let i = 1; i <= 2; i++) {
      const patched = await b.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { title: `r${i}` } });
      expect(patched.status).toBe(200);
    }
    const seen = await first.waitForEvents(3);
    first.close();
    await first.ended;
    for (let i = 3; i <= 6; i++) {
      const patched = await b.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { title: `r${i}` } });
      expect(patched.status).toBe(200);
    }
    const lastId = seen.at(-1)?.id ?? '';
    const resumed = await openStream(a.baseUrl, { ...headers, 'last-event-id': lastId });
    try {
      const patched = await b.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { title: 'r7' } });
      expect(patched.status).toBe(200);
      const events = await resumed.waitForEvents(5);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const versions = [...seen, ...resumed.messages].map((message) => eventOf(message).task_version);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(events.map((message) => Number(message.id))).toEqual(
        [...events.map((message) => Number(message.id))].sort((x, y) => x - y),
      );
      expect(Number(events[0]?.id)).toBeGreaterThan(Number(lastId));
    } finally {
      resumed.close();
    }
  });

  it('a back-channel logout of its session closes the stream within a second', async () => {
    const { a, b } = instances;
    const sid = `stream-session-${fanOut}`;
    const stream = await openStream(a.baseUrl, await bearer(a, 'bob', { sid }));
    expect(stream.status).toBe(200);
    const logout = await fetch(`${b.baseUrl}/auth/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: await a.oidc.logoutToken('bob', { claims: { sid } }) }),
    });
    expect(logout.status).toBe(200);
    const loggedOutAt = Date.now();
    await stream.ended;
    expect(Date.now() - loggedOutAt).toBeLessThan(1_000);
    // And it cannot come back with that token.
    const again = await openStream(a.baseUrl, await bearer(a, 'bob', { sid }));
    expect(again.status).toBe(401);
  });

  it('the stream ends when its access token expires', async () => {
    const { a } = instances;
    const token = await a.oidc.token('bob', { lifetimeSeconds: 2 });
    const opened = Date.now();
    const stream = await openStream(a.baseUrl, { authorization: `Bearer ${token}` });
    expect(stream.status).toBe(200);
    await stream.ended;
    expect(Date.now() - opened).toBeLessThan(3_500);
  });

  it('an idle stream gets heartbeat comments', async () => {
    const stream = await openStream(instances.a.baseUrl, await bearer(instances.a, 'carol'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stream.close();
    expect(stream.comments).toContain('heartbeat');
  });
});

describe('the stream cookie', () => {
  let api: RunningApi;
  let db: Database;
  let signal: StreamSignal;
  let sequencer: StreamSequencer;
  beforeAll(async () => {
    api = await startApi();
    db = databaseFor(api.database.url);
    signal = createStreamSignal({
      redisUrl: undefined,
      redisKeyPrefix: '',
      databaseUrl: api.database.url,
      onError: () => {},
    });
    sequencer = new StreamSequencer(db, signal, { idleMs: 10 });
    sequencer.start();
  });
  afterAll(async () => {
    await sequencer.stop();
    await signal.close();
    await api.close();
    await db.close();
  });

  it('PUT /tasks/stream/cookie sets an HttpOnly, SameSite=Strict cookie for the stream path only, which opens it', async () => {
    const response = await api.request('bob', 'PUT', '/tasks/stream/cookie');
    expect(response.status).toBe(204);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^tasks_stream=[^;]+; Max-Age=\d+; Path=\/tasks\/stream; HttpOnly; SameSite=Strict/,
    );
    const stream = await openStream(api.baseUrl, { cookie: cookie.split(';')[0] ?? '' });
    try {
      expect(stream.status).toBe(200);
      const task = await createTask(api, 'bob', { title: 'via cookie' });
      const [message] = await stream.waitForEvents(1);
      expect(eventOf(message).task_id).toBe(task.id);
    } finally {
      stream.close();
    }
  });

  it('without a token or cookie the stream is 401, and a token is never taken from the URL', async () => {
    const token = await api.oidc.token('bob');
    for (const query of ['', `?access_token=${token}`]) {
      const response = await fetch(`${api.baseUrl}/tasks/stream${query}`);
      expect(response.status).not.toBe(200);
      await response.body?.cancel();
    }
  });

  it('a Last-Event-ID that is not a position is a 422 problem', async () => {
    const response = await fetch(`${api.baseUrl}/tasks/stream`, {
      headers: { ...(await bearer(api, 'bob')), 'last-event-id': 'abc' },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
