/**
 * Serves the development identity provider inside the API's own server, so
 * one port serves everything in embedded mode. Register it encapsulated with
 * `{ prefix: '/realms/tasks' }`: oidc-provider is a Koa application that
 * reads raw Node requests, so in this context Fastify parses no bodies and
 * hands every request over untouched.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type pg from 'pg';
import { KEYCLOAK_ROUTES } from '../keycloak-routes.ts';
import { createDevIdentityProvider } from './dev-idp.ts';
import { findDevUserBySub, standardClaimsOf } from './dev-users.ts';

export interface DevIdentityProviderPluginOptions {
  /** `<publicUrl>/realms/tasks`. */
  issuer: string;
  publicUrl: string;
  /** The API's audience, e.g. `tasks-api`. */
  audience: string;
  pool: pg.Pool;
  dataDir: string;
  /** The API's back-channel logout endpoint (the clients' back-channel logout URI). */
  backchannelLogoutUri?: string;
  /** Where this server listens: logout tokens are delivered there (see keycloak-logout.ts). */
  localBaseUrl?: () => string | undefined;
}

export const devIdentityProviderPlugin: FastifyPluginAsync<DevIdentityProviderPluginOptions> = async (
  app,
  options,
) => {
  app.log.warn(
    { issuer: options.issuer },
    'DEVELOPMENT identity provider enabled (OIDC_ISSUER is unset): its users and passwords are public; ' +
      'never expose it, set OIDC_ISSUER in any shared or production deployment',
  );
  const { provider, publicJwks } = await createDevIdentityProvider({
    issuer: options.issuer,
    publicUrl: options.publicUrl,
    audience: options.audience,
    pool: options.pool,
    dataDir: options.dataDir,
    ...(options.backchannelLogoutUri ? { backchannelLogoutUri: options.backchannelLogoutUri } : {}),
    ...(options.localBaseUrl ? { localBaseUrl: options.localBaseUrl } : {}),
    onBackgroundError: (err) =>
      app.log.warn({ err }, 'development identity provider: background task failed'),
  });
  provider.on('server_error', (_ctx, err) => app.log.error({ err }, 'development identity provider error'));
  provider.on('backchannel.error', (_ctx, err, client) =>
    app.log.warn(
      { err, client: client.clientId },
      'development identity provider: back-channel logout failed',
    ),
  );
  const handle = provider.callback();
  const prefix = app.prefix;

  // oidc-provider reads the bodies itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  /**
   * Keycloak's userinfo accepts its JWT access tokens; oidc-provider's only
   * its opaque, userinfo-audience ones. So userinfo is answered here, from
   * the verified token.
   */
  const keys = createLocalJWKSet(publicJwks);
  app.route({
    method: ['GET', 'POST'],
    url: KEYCLOAK_ROUTES.userinfo,
    schema: { hide: true },
    handler: async (request, reply) => {
      const token = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const challenge = (error: string) =>
        reply
          .code(401)
          .header('www-authenticate', `Bearer realm="tasks", error="${error}"`)
          .send({ error, error_description: 'a valid access token is required' });
      if (!token) return challenge('invalid_request');
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          algorithms: ['RS256'],
          typ: 'JWT',
        });
        const user = payload.typ === 'Bearer' && payload.sub ? findDevUserBySub(payload.sub) : undefined;
        if (!user) return challenge('invalid_token');
        return reply.header('cache-control', 'no-store').send(standardClaimsOf(user));
      } catch {
        return challenge('invalid_token');
      }
    },
  });

  const forward = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const raw = request.raw as typeof request.raw & { originalUrl?: string };
    const url = raw.url ?? '/';
    // oidc-provider finds its mount path (for the URLs it builds) as what `originalUrl` has before `url`.
    raw.originalUrl = url;
    raw.url = url.slice(prefix.length) || '/';
    if (!raw.url.startsWith('/')) raw.url = `/${raw.url}`;
    return handle(raw, reply.raw);
  };
  // The provider's own protocol, not the API: kept out of the OpenAPI document.
  app.all('/', { schema: { hide: true } }, forward);
  app.all('/*', { schema: { hide: true } }, forward);
};
