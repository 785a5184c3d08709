/**
 * The listing and task cache across API instances: a write on one instance
 * is seen at once by the next read on another, whatever the cache holds; a
 * user's cached page is never another's; with Redis down requests are
 * answered from the database, and the cache is used again when it returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';

const listTitles = async (api: RunningApi, user: 'alice' | 'bob' | 'dave' | 'carol', query = '') => {
  const response = await api.request(user, 'GET', `/tasks${query}`);
  expect(response.status).toBe(200);
  return {
    cache: response.headers.get('x-cache'),
    titles: (await bodyOf<TaskPage>(response)).items.map((t) => t.title),
  };
};

describe.each([
  ['Redis', true],
  ['in-process cache with the generation in PostgreSQL', false],
])('two API instances sharing the %s', (_name, withRedis) => {
  let redis: PrivateRedis | undefined;
  let first: RunningApi;
  let second: RunningApi;

  beforeAll(async () => {
    redis = withRedis ? await startPrivateRedis() : undefined;
    first = await startApi(redis ? { REDIS_URL: redis.url } : {});
    // The second instance serves the same database (and Redis), as a second pod or worker would.
    second = await startApi(redis ? { REDIS_URL: redis.url } : {}, {
      database: first.database,
      oidc: first.oidc,
    });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await redis?.stop();
  });

  it('a listing is computed once, then served from the cache', async () => {
    await first.request('bob', 'POST', '/tasks', { json: { title: 'cached once' } });
    expect((await listTitles(second, 'bob')).cache).toBe('miss');
    const again = await listTitles(second, 'bob');
    expect(again.cache).toBe('hit');
    expect(again.titles).toContain('cached once');
  });

  it('each kind of write on one instance is seen by the next read on the other', async () => {
    const created = await first.request('bob', 'POST', '/tasks', { json: { title: 'v1' } });
    const task = await bodyOf<Task>(created);
    await listTitles(second, 'bob');
    expect((await listTitles(second, 'bob')).titles).toContain('v1');

    await first.request('bob', 'PUT', `/tasks/${task.id}`, { json: { title: 'v2' } });
    expect((await listTitles(second, 'bob')).titles).toContain('v2');
    expect((await listTitles(second, 'carol')).titles).toContain('v2');
    expect((await bodyOf<Task>(await second.request('bob', 'GET', `/tasks/${task.id}`))).title).toBe('v2');

    await first.request('alice', 'PATCH', `/tasks/${task.id}`, { json: { title: 'v3' } });
    expect((await listTitles(second, 'bob')).titles).toContain('v3');
    expect((await bodyOf<Task>(await second.request('carol', 'GET', `/tasks/${task.id}`))).title).toBe('v3');

    await first.request('bob', 'DELETE', `/tasks/${task.id}`);
    expect((await listTitles(second, 'alice')).titles).not.toContain('v3');
    expect((await second.request('bob', 'GET', `/tasks/${task.id}`)).status).toBe(404);
    // And what is cached afterwards is the new state.
    const cached = await listTitles(second, 'alice');
    expect(cached.cache).toBe('hit');
    expect(cached.titles).not.toContain('v3');
  });

  it("one user's cached page is never served to another user", async () => {
    await first.request('bob', 'POST', '/tasks', { json: { title: 'bob only' } });
    await first.request('dave', 'POST', '/tasks', { json: { title: 'dave only' } });
    await listTitles(second, 'bob');
    const bobs = await listTitles(second, 'bob');
    expect(bobs.cache).toBe('hit');
    const daves = await listTitles(second, 'dave');
    expect(daves.titles).toContain('dave only');
    expect(daves.titles).not.toContain('bob only');
  });
});

describe('Redis going down and coming back', () => {
  let redis: PrivateRedis;
  let api: RunningApi;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await startApi({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('requests are answered from the database while Redis is down, and the cache is used again after', async () => {
    await api.request('bob', 'POST', '/tasks', { json: { title: 'before the outage' } });
    await listTitles(api, 'bob');
    expect((await listTitles(api, 'bob')).cache).toBe('hit');

    await redis.stop();
    const during = await api.request('bob', 'POST', '/tasks', { json: { title: 'during the outage' } });
    expect(during.status).toBe(201);
    for (let i = 0; i < 5; i += 1) {
      const page = await listTitles(api, 'bob');
      expect(page.cache).toBe('bypass');
      expect(page.titles).toEqual(expect.arrayContaining(['before the outage', 'during the outage']));
    }

    await redis.start();
    // ioredis reconnects in the background; the cache returns within a few seconds.
    let cache: string | null = null;
    for (let attempt = 0; attempt < 50 && cache !== 'hit'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cache = (await listTitles(api, 'bob')).cache;
    }
    expect(cache).toBe('hit');
    expect((await listTitles(api, 'bob')).titles).toContain('during the outage');
  });
});
