/**
 * Mounts the development identity provider at /realms/tasks when no
 * OIDC_ISSUER is configured. Its code is imported here on demand: production
 * never loads it.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from '../../config/config.ts';

/** Where this server listens, for requests it sends itself (the development provider's logout). */
function localBaseUrlOf(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (!address || typeof address === 'string') return undefined;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  if (address.family === 'IPv6') return `http://[${wildcard ? '::1' : address.address}]:${address.port}`;
  return `http://${wildcard ? '127.0.0.1' : address.address}:${address.port}`;
}

export async function serveDevIdentityProvider(
  app: FastifyInstance,
  config: Config,
  issuer: string,
  pool: pg.Pool,
): Promise<void> {
  const { devIdentityProviderPlugin } = await import('./dev-idp.plugin.ts');
  await app.register(devIdentityProviderPlugin, {
    prefix: '/realms/tasks',
    issuer,
    publicUrl: config.publicUrl,
    audience: config.oidc.audience,
    pool,
    dataDir: config.dataDir,
    // What Keycloak's realm names too: the API's back-channel logout endpoint ...
    backchannelLogoutUri: `${config.publicUrl}/auth/backchannel-logout`,
    // ... reached through this very server: the public URL may be a proxy this process cannot reach.
    localBaseUrl: () => localBaseUrlOf(app),
  });
}
