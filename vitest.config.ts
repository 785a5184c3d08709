import { defineConfig } from 'vitest/config';

/** Starts the stack when nothing of it runs, stops it after (test/support/stack-global-setup.ts). */
const STACK = 'test/support/stack-global-setup.ts';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'web/test/unit/**/*.test.{ts,tsx}'] } },
      // The deployment files (Kubernetes, Compose, NGINX, Prometheus, Grafana) checked offline with the real tools.
      { test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          // The web app's journeys in Chromium (web/test/browser) start `npm start` themselves.
          include: ['test/integration/**/*.test.ts', 'web/test/browser/**/*.test.ts'],
          // The read-your-writes tests use the stack's PostgreSQL topology (primary, delayed replica).
          globalSetup: ['test/support/build-web-app.ts', STACK],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Through NGINX to the running stack, after the integration tests (which write on its
        // primary: the replica-lag checks need it quiet), before the faults.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [STACK],
          testTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Tests that stop shared servers (the topology's primary and replica): alone, last.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: [STACK],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
