/**
 * `npm run bench:plans`: the listing-plan checks of CI (test/integration/listing-plans.test.ts,
 * every query shape the API sends must read an index in order and stop after its page) on ten
 * million seeded tasks instead of one. Seeding takes about twenty minutes on two cores and some
 * 6 GB of disk, so it is a benchmark, not part of `npm test`. LISTING_PLANS_ROWS overrides the count.
 * It needs only PostgreSQL (TEST_DATABASE_URL), not the stack the integration project starts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/integration/listing-plans.test.ts'],
    env: { LISTING_PLANS_ROWS: process.env.LISTING_PLANS_ROWS ?? '10000000' },
    // The file sets its own per-test and seeding timeouts from the row count.
    testTimeout: 600_000,
    hookTimeout: 3_600_000,
  },
});
