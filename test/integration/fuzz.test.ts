/**
 * The fuzz run (test/fuzz, docs/fuzzing.md) in the test suite, bounded:
 * 3,000 requests of one fixed seed over every operation of the served OpenAPI
 * document, every role, no token and forged tokens, against the application
 * with its own PostgreSQL database and Redis (the listing cache on). Zero
 * findings, and every acknowledged write in the database. `npm run fuzz` is
 * the full run (two seeds of 20,000).
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { printReport } from '../fuzz/report.ts';
import { runFuzz } from '../fuzz/run.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';

let redis: PrivateRedis;
let api: RunningApi;
let db: pg.Pool;
beforeAll(async () => {
  redis = await startPrivateRedis();
  api = await startApi({ REDIS_URL: redis.url });
  db = new pg.Pool({ connectionString: api.database.url, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await api?.close();
  await redis?.stop();
});

it('3,000 schema-driven requests (seed 20261203): no finding, nothing lost', async () => {
  const report = await runFuzz(
    { baseUrl: api.baseUrl, oidc: api.oidc, db },
    { seed: 20261203, requests: 3_000 },
  );
  const lines: string[] = [];
  printReport(report, (line) => lines.push(line));
  // Every operation of the document was called, and writes were acknowledged to check.
  expect(report.operations).toBe(report.documentedOperations);
  expect(report.acknowledgedWrites).toBeGreaterThan(50);
  expect(lines.slice(1)).toEqual([]);
  expect(report.findings).toEqual([]);
  expect(report.lost).toEqual([]);
}, 120_000);
