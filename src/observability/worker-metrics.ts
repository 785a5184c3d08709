/**
 * Prometheus metrics of the worker process, served on WORKER_METRICS_PORT
 * at `/metrics`. Names are the ones dashboards and alert rules use.
 */
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MessageOutcome } from '../background/transport.ts';
import { withZeroSeries } from './zero-series.ts';

const MESSAGE_OUTCOMES: readonly MessageOutcome[] = [
  'processed',
  'retried',
  'dead_lettered',
  'duplicate',
  'skipped',
];

/** What the backlog gauges read (background/outbox-backlog.repository.ts). */
export interface OutboxBacklog {
  pending(): Promise<number>;
  /** Age of the oldest event not yet published, 0 when none. */
  oldestPendingSeconds(): Promise<number>;
}

export function createWorkerMetrics(backlog: OutboxBacklog) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    outboxPending: new Gauge({
      name: 'tasks_outbox_pending',
      help: 'Events recorded in the outbox and not yet published (read at each scrape)',
      registers: [registry],
      async collect() {
        this.set(await backlog.pending());
      },
    }),
    outboxOldestPending: new Gauge({
      name: 'tasks_outbox_oldest_pending_seconds',
      help: 'Age of the oldest event not yet published, 0 when none (read at each scrape)',
      registers: [registry],
      async collect() {
        this.set(await backlog.oldestPendingSeconds());
      },
    }),
    outboxPublished: new Counter({
      name: 'tasks_outbox_published_total',
      help: 'Events published to the transport (confirmed) by this relay',
      registers: [registry],
    }),
    messages: withZeroSeries(
      new Counter({
        name: 'tasks_worker_messages_total',
        help: 'Task events handled, by outcome (processed, retried, dead_lettered, duplicate, skipped: a type no consumer takes)',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      MESSAGE_OUTCOMES.map((outcome) => [outcome]),
    ),
    processingDuration: new Histogram({
      name: 'tasks_worker_processing_duration_seconds',
      help: 'Time to handle one task event, whatever its outcome',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

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
