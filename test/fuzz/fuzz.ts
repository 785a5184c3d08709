/**
 * npm run fuzz [-- --seed N ... --requests M --concurrency C]
 *
 * A schema-driven fuzz run of the whole OpenAPI document against the real
 * application in this process (its own migrated PostgreSQL database on the
 * machine's server, TEST_DATABASE_URL as the tests use it, and a Redis of its
 * own, so the listing cache is on), with every role, no token and forged
 * tokens. Prints what it sent and every finding; exits 1 when there is one.
 * Default: seeds 1 and 2, 20,000 requests each.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startApi } from '../support/api-harness.ts';
import { startPrivateRedis } from '../support/private-redis.ts';
import { printReport } from './report.ts';
import { runFuzz } from './run.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', multiple: true, default: ['1', '2'] },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const seeds = values.seed.map(Number);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (![...seeds, requests, concurrency].every((value) => Number.isSafeInteger(value) && value >= 0)) {
  process.stderr.write(
    'Usage: npm run fuzz -- [--seed N]... [--requests M] [--concurrency C] (whole numbers)\n',
  );
  process.exit(2);
}

const redis = await startPrivateRedis();
// Stopped in the middle (Ctrl-C): its own Redis server is stopped too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void redis.stop().finally(() => process.exit(130)));
let failed = false;
try {
  for (const seed of seeds) {
    // A fresh API and database per seed: a run's figures do not depend on the one before.
    const api = await startApi({ REDIS_URL: redis.url });
    const db = new pg.Pool({ connectionString: api.database.url, max: 2 });
    try {
      const report = await runFuzz(
        { baseUrl: api.baseUrl, oidc: api.oidc, db },
        { seed, requests, concurrency },
      );
      printReport(report, (line) => process.stdout.write(`${line}\n`));
      failed ||= report.findings.length > 0 || report.lost.length > 0;
    } finally {
      await db.end();
      await api.close();
    }
  }
} finally {
  await redis.stop();
}
process.exit(failed ? 1 : 0);
