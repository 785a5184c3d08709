import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createWorkerMetrics, type OutboxBacklog } from '../../src/observability/worker-metrics.ts';

/** A fresh process must export its labelled counters at 0: dashboards and alerts otherwise see "no data". */
describe('a fresh process’s metrics', () => {
  it('exports every cache lookup and database read series at 0 before any traffic', async () => {
    const text = await createMetrics().registry.metrics();
    for (const kind of ['listing', 'task'])
      for (const result of ['hit', 'miss', 'error', 'bypass'])
        expect(text).toContain(`tasks_cache_requests_total{kind="${kind}",result="${result}"} 0`);
    for (const [target, reason] of [
      ['primary', 'unknown_position'],
      ['replica', 'caught_up'],
      ['replica', 'replica_view'],
      ['primary', 'behind_or_down'],
      ['primary', 'replica_failed'],
    ])
      expect(text).toContain(`tasks_db_reads_total{target="${target}",reason="${reason}"} 0`);
    for (const reason of ['missing_token', 'expired', 'revoked'])
      expect(text).toContain(`tasks_auth_failures_total{reason="${reason}"} 0`);
  });

  it('the worker exports every message outcome at 0 before its first message', async () => {
    // The outbox gauges read the database at each scrape: only the counters are read here.
    const worker = createWorkerMetrics({} as OutboxBacklog);
    const text = await worker.registry.getSingleMetricAsString('tasks_worker_messages_total');
    for (const outcome of ['processed', 'retried', 'dead_lettered', 'duplicate', 'skipped'])
      expect(text).toContain(`tasks_worker_messages_total{outcome="${outcome}"} 0`);
  });
});
