/** The outbox's backlog, as the worker's metrics read it at each scrape. */
import type { Queryable } from '../infra/db/database.ts';
import type { OutboxBacklog } from '../observability/worker-metrics.ts';

export function outboxBacklogRepository(db: Queryable): OutboxBacklog {
  return {
    async pending() {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return rows[0]?.n ?? 0;
    },
    async oldestPendingSeconds() {
      const { rows } = await db.query<{ age: number }>(
        `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
           FROM outbox WHERE published_at IS NULL`,
      );
      return rows[0]?.age ?? 0;
    },
  };
}
