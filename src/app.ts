/**
 * Builds the Fastify application from a validated configuration; never
 * listens (server.ts does). Infrastructure adapters are created here, once,
 * and closed when the app closes.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { authPlugin } from './auth/auth.plugin.ts';
import { backchannelLogoutRoutes } from './auth/backchannel-logout.routes.ts';
import { createLogoutTokenVerifier } from './auth/logout-token.ts';
import { createRevocationStore, refusingRevoked } from './auth/revocations/revocation-store.ts';
import { createTokenVerifier, discoveredKeys } from './auth/token-verifier.ts';
import type { Config } from './config/config.ts';
import { registerErrorHandling } from './errors/error-handler.ts';
import { ProblemSchema } from './errors/problem.schema.ts';
import { abuseLimitsPlugin } from './http/abuse-limits.ts';
import { closeConnectionsWhenIdle } from './http/graceful-close.ts';
import { validatorCompiler } from './http/validator-compiler.ts';
import { createCacheStores } from './infra/cache/create-cache.ts';
import { createDatabase } from './infra/db/database.ts';
import { ReadRouter } from './infra/db/read-router.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { TaskReads } from './modules/tasks/tasks.reads.ts';
import { tasksRoutes } from './modules/tasks/tasks.routes.ts';
import { TaskPageSchema, TaskSchema } from './modules/tasks/tasks.schemas.ts';
import { TasksService } from './modules/tasks/tasks.service.ts';
import { createLogger, requestIdOf } from './observability/logger.ts';
import { metricsPlugin } from './observability/metrics.plugin.ts';
import { createMetrics } from './observability/metrics.ts';
import { AccessLogController } from './observability/request-log.ts';
import { openApiDocument, swaggerUiOptions } from './openapi.ts';

/** The issuer the development identity provider serves when no OIDC_ISSUER is configured. */
export const devIssuerOf = (config: Config) => `${config.publicUrl}/realms/tasks`;

const BODY_LIMIT_BYTES = 64 * 1024;

/** The provider's public keys, for access tokens and logout tokens alike. */
async function providerKeysFor(config: Config): Promise<JWTVerifyGetKey> {
  if (config.oidc.issuer) return discoveredKeys(config.oidc.issuer, config.oidc.jwksUrl);
  // The development provider runs in this process: its public keys are read directly.
  const { loadOrCreateSigningKeys } = await import('./auth/dev-idp/signing-keys.ts');
  const { publicJwks } = await loadOrCreateSigningKeys(config.dataDir);
  return createLocalJWKSet(publicJwks);
}

/** Where this server listens, for requests it sends itself (the development provider's logout). */
function localBaseUrlOf(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (!address || typeof address === 'string') return undefined;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  if (address.family === 'IPv6') return `http://[${wildcard ? '::1' : address.address}]:${address.port}`;
  return `http://${wildcard ? '127.0.0.1' : address.address}:${address.port}`;
}

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    // As the base logger type: a pino-specific type would change the type of every plugin's instance.
    loggerInstance: createLogger(config, 'tasks-api') as FastifyBaseLogger,
    genReqId: requestIdOf,
    logController: new AccessLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: config.http.requestTimeoutSeconds * 1000,
    connectionTimeout: config.http.connectionTimeoutSeconds * 1000,
    trustProxy:
      typeof config.http.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.http.trustProxy as number)
        : config.http.trustProxy,
    forceCloseConnections: 'idle',
    ajv: { customOptions: {} },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  closeConnectionsWhenIdle(app);
  const issuer = config.oidc.issuer ?? devIssuerOf(config);
  const keys = await providerKeysFor(config);
  const db = createDatabase(config.database);
  const revocations = createRevocationStore(config, db.primary, app.log);
  await revocations.start();
  // Every token check, the rate limiter's included, refuses the tokens of logged-out sessions.
  const verifier = refusingRevoked(
    createTokenVerifier({ issuer, audience: config.oidc.audience, rolesClaim: config.oidc.rolesClaim, keys }),
    revocations,
  );
  await app.register(abuseLimitsPlugin, { config, verifier, issuer });

  // JSON only (and merge patch for PATCH): any other body is a 415.
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const metrics = createMetrics();
  await app.register(metricsPlugin, { metrics });
  const router = new ReadRouter(db.primary, {
    replicaUrls: config.database.replicaUrls,
    poolSize: config.database.poolSize,
    preparedStatements: config.database.preparedStatements,
    onReplicaState: (replica, state) =>
      metrics.replicaLag.labels(replica).set(state.healthy ? (state.lagSeconds ?? 0) : -1),
  });
  metrics.observePools(router.pools());
  const cacheStores = createCacheStores(config, db.primary);
  app.addHook('onClose', async () => {
    await revocations.close();
    await cacheStores.close();
    await router.close();
    await db.close();
  });
  const reads = new TaskReads({
    ...cacheStores,
    router,
    ttlSeconds: config.cacheTtlSeconds,
    metrics,
    log: app.log,
  });

  for (const schema of [ProblemSchema, TaskSchema, TaskPageSchema]) app.addSchema(schema);
  await app.register(swagger, openApiDocument(config, issuer));
  await app.register(swaggerUi, swaggerUiOptions(config));

  if (!config.oidc.issuer) {
    // Loaded only in development mode: production never loads the provider's code.
    const { devIdentityProviderPlugin } = await import('./auth/dev-idp/dev-idp.plugin.ts');
    await app.register(devIdentityProviderPlugin, {
      prefix: '/realms/tasks',
      issuer,
      publicUrl: config.publicUrl,
      audience: config.oidc.audience,
      pool: db.primary,
      dataDir: config.dataDir,
      // What Keycloak's realm names too: the API's back-channel logout endpoint ...
      backchannelLogoutUri: `${config.publicUrl}/auth/backchannel-logout`,
      // ... reached through this very server: the public URL may be a proxy this process cannot reach.
      localBaseUrl: () => localBaseUrlOf(app),
    });
  }
  await app.register(authPlugin, { verifier, metrics });
  await app.register(backchannelLogoutRoutes, {
    verifyLogoutToken: createLogoutTokenVerifier({ issuer, audiences: config.oidc.logoutAudiences, keys }),
    store: revocations,
    accessTokenLifetimeSeconds: config.oidc.accessTokenLifetimeSeconds,
    metrics,
  });
  await app.register(healthRoutes, { db });
  await app.register(tasksRoutes, { service: new TasksService(db, reads) });
  return app;
}
