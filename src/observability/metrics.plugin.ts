/** `GET /metrics` (Prometheus text format) and the request duration histogram. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from './metrics.ts';

export const metricsPlugin = fp<{ metrics: Metrics }>(
  async (app: FastifyInstance, { metrics }) => {
    // One histogram child per method, route and status, found by a plain string key: cheaper on
    // every request than prom-client's own label hashing.
    const durations = new Map<string, { observe(seconds: number): void }>();
    app.addHook('onResponse', (request, reply, done) => {
      // The route template, never the raw URL: ids in paths would explode the label set.
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method} ${route} ${reply.statusCode}`;
      let child = durations.get(key);
      if (!child) {
        child = metrics.httpRequestDuration.labels(request.method, route, String(reply.statusCode));
        durations.set(key, child);
      }
      child.observe(reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics' },
);
