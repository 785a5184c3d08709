/**
 * `npm run seed` against a running server: the server stops serving
 * listings cached before the seed at once (not after CACHE_TTL_SECONDS), in
 * every way the generation is kept: the embedded start's memory (told
 * through NOTIFY), the cache_generation table, Redis. And the seed shows
 * its progress as it goes.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { announceOutsideWrite, listenForOutsideWrites } from '../../src/infra/cache/outside-writes.ts';
import { PostgresGenerationStore } from '../../src/infra/cache/postgres-generation-store.ts';
import { RedisCacheStore } from '../../src/infra/cache/redis-cache-store.ts';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { type Answer, untilEveryWorkerMissed } from '../support/cluster-requests.ts';
import { devTokenFor, freshStart, ROOT, start, stop } from '../support/npm-start.ts';
import { createTestDatabase } from '../support/test-database.ts';

const run = promisify(execFile);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('an outside write opens a new cache generation everywhere one is kept', () => {
  it('in the cache_generation table, in Redis, and for a process listening on the database', async () => {
    const database = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const keyPrefix = `test-outside-${randomUUID()}:`;
    const redis = new Redis(REDIS_URL, { keyPrefix });
    const heard: bigint[] = [];
    const stopListening = await listenForOutsideWrites(
      database.url,
      (lsn) => heard.push(lsn),
      (error) => {
        throw error;
      },
    );
    try {
      const table = new PostgresGenerationStore(pool);
      const shared = new RedisCacheStore(redis);
      const [tableBefore, redisBefore] = [await table.current('nobody'), await shared.current('nobody')];
      await announceOutsideWrite({ redisUrl: REDIS_URL, redisKeyPrefix: keyPrefix }, pool);
      const [tableAfter, redisAfter] = [await table.current('nobody'), await shared.current('nobody')];
      expect(tableAfter.generation).toBe(tableBefore.generation + 1);
      expect(redisAfter.generation).toBe(redisBefore.generation + 1);
      expect(redisAfter.writeLsn).toBeGreaterThan(0n);
      for (let waited = 0; heard.length === 0 && waited < 5_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(heard).toEqual([tableAfter.writeLsn]);
    } finally {
      await stopListening();
      await redis.del('tasks:generation', 'tasks:write-lsn');
      redis.disconnect();
      await pool.end();
      await database.drop();
    }
  }, 60_000);
});

describe('npm run seed against a running npm start', () => {
  it.each([2, 1])(
    'with WEB_CONCURRENCY=%i, the next listing is read anew and has the seeded tasks; the seed shows progress',
    async (workers) => {
      const { env, baseUrl, dataDir } = await freshStart(folders, {
        WEB_CONCURRENCY: String(workers),
        LOG_LEVEL: 'warn',
      });
      const started = await start(env);
      try {
        const token = await devTokenFor(`${baseUrl}/realms/tasks/protocol/openid-connect/token`, 'bob');
        const auth = { authorization: `Bearer ${token}` };
        const listUrl = `${baseUrl}/tasks?limit=100`;
        const itemsIn = (answer: Answer) => (answer.json as TaskPage).items;
        // Cached on every worker, empty: a worker that kept it past the seed would answer it.
        await untilEveryWorkerMissed(workers, listUrl, auth, (answer) =>
          expect(itemsIn(answer)).toHaveLength(0),
        );

        const { stdout } = await run(
          process.execPath,
          ['scripts/run.mjs', 'seed', '--count', '10000', '--owners', '5'],
          { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } },
        );
        expect(stdout).toContain('into the running embedded PostgreSQL');
        // Progress from the start: a line per ~5 % (before: one line, after the whole insert).
        expect(stdout.match(/^ {2}[\d,]+ \/ 10,000 /gm)?.length).toBeGreaterThanOrEqual(10);

        // Each worker's first listing after the seed is read anew (and then cached again); none is stale.
        await untilEveryWorkerMissed(workers, listUrl, auth, (answer) =>
          expect(itemsIn(answer).length).toBeGreaterThan(0),
        );
      } finally {
        expect(await stop(started)).toBe(0);
      }
    },
    180_000,
  );
});
