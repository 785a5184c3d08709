/**
 * Graceful close: `app.close()` (what SIGTERM runs) waits for the requests in
 * flight, but Node's server also waits for every keep-alive connection, and
 * a client such as NGINX keeps idle upstream connections open for a minute.
 * So while closing, answers carry `Connection: close` and connections are
 * closed as soon as they are idle: close waits only for real work.
 */
import type { FastifyInstance } from 'fastify';

export function closeConnectionsWhenIdle(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async () => {
    if (closing) app.server.closeIdleConnections();
  });
}
