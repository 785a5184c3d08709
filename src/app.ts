/**
 * Builds the Fastify application from a validated configuration; never
 * listens (server.ts does). Infrastructure adapters are created here, once,
 * and closed when the app closes; the order of the registrations is the
 * order every request meets them.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { authPlugin } from './auth/auth.plugin.ts';
import { backchannelLogoutRoutes } from './auth/backchannel-logout.routes.ts';
import { devIssuerOf } from './auth/dev-idp/dev-issuer.ts';
import { serveDevIdentityProvider } from './auth/dev-idp/serve-dev-idp.ts';
import { createLogoutTokenVerifier } from './auth/logout-token.ts';
import { createTokenChecks, providerKeysFor } from './auth/token-checks.ts';
import type { Config } from './config/config.ts';
import { abuseLimitsPlugin } from './http/abuse-limits.ts';
import { admissionPlugin } from './http/admission.ts';
import { serveApiDocs } from './http/api-docs.ts';
import { createHttpServer } from './http/http-server.ts';
import { parseJsonAsUtf8 } from './http/json-body.ts';
import { enforceDeclaredMediaTypes } from './http/media-types.ts';
import { webAppPlugin } from './http/web-app.ts';
import { createDatabase } from './infra/db/database.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { historyRoutes } from './modules/history/history.routes.ts';
import { HistoryService } from './modules/history/history.service.ts';
import { labelsRoutes } from './modules/labels/labels.routes.ts';
import { startStreamHub } from './modules/live/start-stream-hub.ts';
import { streamRoutes } from './modules/live/stream.routes.ts';
import { bulkRoutes } from './modules/tasks/tasks.bulk.routes.ts';
import { createReadPath } from './modules/tasks/tasks.read-path.ts';
import { tasksRoutes } from './modules/tasks/tasks.routes.ts';
import { TasksService } from './modules/tasks/tasks.service.ts';
import { transferRoutes } from './modules/tasks/tasks.transfer.routes.ts';
import { UserDirectory } from './modules/users/users.directory.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import { metricsPlugin } from './observability/metrics.plugin.ts';
import { createMetrics } from './observability/metrics.ts';

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = createHttpServer(config);
  const issuer = config.oidc.issuer ?? devIssuerOf(config);
  const keys = await providerKeysFor(config);
  const db = createDatabase(config.database);
  const { revocations, verifier } = await createTokenChecks(config, { issuer, keys }, db.primary, app.log);
  // First of all: a request refused for capacity costs as little as possible.
  await app.register(admissionPlugin, config.admission);
  await app.register(abuseLimitsPlugin, { config, verifier, issuer });

  // JSON only (and merge patch for PATCH): any other body is a 415. Each route takes only the
  // types its schema declares (`consumes`), whatever parsers its context has.
  enforceDeclaredMediaTypes(app);
  app.removeContentTypeParser(['text/plain']);
  parseJsonAsUtf8(app, ['application/json', 'application/merge-patch+json']);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const metrics = createMetrics();
  await app.register(metricsPlugin, { metrics });
  const { router, cacheStores, reads } = createReadPath(config, db.primary, metrics, app.log);
  app.addHook('onClose', async () => {
    await revocations.close();
    await cacheStores.close();
    await router.close();
    await db.close();
  });

  await serveApiDocs(app, config, issuer);
  if (!config.oidc.issuer) await serveDevIdentityProvider(app, config, issuer, db.primary);
  await app.register(cookie);
  const directory = new UserDirectory(db.primary, app.log);
  await app.register(authPlugin, {
    verifier,
    metrics,
    onCaller: (principal) => directory.remember(principal),
  });
  await app.register(backchannelLogoutRoutes, {
    verifyLogoutToken: createLogoutTokenVerifier({ issuer, audiences: config.oidc.logoutAudiences, keys }),
    store: revocations,
    accessTokenLifetimeSeconds: config.oidc.accessTokenLifetimeSeconds,
    metrics,
  });
  await app.register(healthRoutes, { db });
  const tasks = new TasksService(db, reads);
  await app.register(tasksRoutes, { service: tasks });
  await app.register(bulkRoutes, { service: tasks });
  await app.register(transferRoutes, { db, reads });
  await app.register(historyRoutes, { service: new HistoryService(db.primary) });
  await app.register(streamRoutes, {
    hub: startStreamHub(app, config, db.primary, revocations),
    db: db.primary,
    heartbeatSeconds: config.events.streamHeartbeatSeconds,
    maxQueuedBytes: config.events.streamMaxQueuedBytes,
    secureCookie: config.publicUrl.startsWith('https:'),
  });
  await app.register(webAppPlugin, { config, issuer });
  await app.register(usersRoutes, { directory });
  await app.register(labelsRoutes, { db: db.primary });
  return app;
}
