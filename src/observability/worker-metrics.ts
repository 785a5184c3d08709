/**
 * Prometheus metrics of the worker process, served on WORKER_METRICS_PORT
 * at `/metrics`. Names are the ones dashboards and alert rules use.
 */
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../infra/db/database.ts';

export function createWorkerMetrics(db: Pick<Database, 'primary'>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    outboxPending: new Gauge({
      name: 'tasks_outbox_pending',
      help: 'Events recorded in the outbox and not yet published (read at each scrape)',
      registers: [registry],
      async collect() {
        const { rows } = await db.primary.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        );
        this.set(rows[0]?.n ?? 0);
      },
    }),
    outboxPublished: new Counter({
      name: 'tasks_outbox_published_total',
      help: 'Events published to RabbitMQ (confirmed) by this relay',
      registers: [registry],
    }),
    messages: new Counter({
      name: 'tasks_worker_messages_total',
      help: 'Task events handled, by outcome (processed, retried, dead_lettered, duplicate)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    processingDuration: new Histogram({
      name: 'tasks_worker_processing_duration_seconds',
      help: 'Time to handle one task event, whatever its outcome',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
export type MessageOutcome = 'processed' | 'retried' | 'dead_lettered' | 'duplicate';

/**
 * The worker's own small HTTP server: `GET /metrics` for Prometheus, and
 * `GET /healthz` for probes — the process serves, touching no dependency
 * (`/metrics` reads the outbox, so a database outage must not look like a
 * dead worker that a restart would fix).
 */
export async function serveWorkerMetrics(
  metrics: WorkerMetrics,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
