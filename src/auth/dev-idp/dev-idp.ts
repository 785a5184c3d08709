/**
 * The development identity provider: the certified `oidc-provider` library
 * configured to look like the `tasks` realm of a Keycloak (paths, clients,
 * token shape, lifetimes), so clients written for Keycloak work unchanged
 * and the API verifies its tokens exactly as it verifies Keycloak's.
 * Development only: its users and passwords are public.
 */
import type { JSONWebKeySet } from 'jose';
import Provider, { type ResourceServer } from 'oidc-provider';
import { KEYCLOAK_ROUTES } from '../keycloak-routes.ts';
import { allowWebAppRedirects } from './dev-clients.ts';
import { keycloakLogout } from './keycloak-logout.ts';
import { keycloakTokenResponse } from './keycloak-token-response.ts';
import { ACCESS_TOKEN_LIFETIME_SECONDS } from './keycloak-token-shape.ts';
import { devLogin, readLoginForm } from './login-interaction.ts';
import { registerPasswordGrant } from './password-grant.ts';
import {
  configuration,
  DEFAULT_SCOPES,
  type DevIdentityProviderOptions,
  findAccount,
  SUPPORTED_SCOPES,
} from './provider-configuration.ts';
import { endSessionOnRefreshTokenReuse } from './session-end.ts';
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys } from './signing-keys.ts';

export interface DevIdentityProvider {
  provider: Provider;
  /** What the JWKS endpoint serves. */
  publicJwks: JSONWebKeySet;
}

/** Builds the provider; keys are created on first start under `<dataDir>/dev-idp/`. */
export async function createDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<DevIdentityProvider> {
  const [{ privateJwks, publicJwks }, cookieKeys] = await Promise.all([
    loadOrCreateSigningKeys(options.dataDir),
    loadOrCreateCookieKeys(options.dataDir),
  ]);
  // RFC 8707 names a resource by its URL: the API's own.
  const resource = options.publicUrl;
  const resourceServer: ResourceServer = {
    scope: SUPPORTED_SCOPES.join(' '),
    audience: options.audience,
    accessTokenTTL: ACCESS_TOKEN_LIFETIME_SECONDS,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
  const provider = new Provider(
    options.issuer,
    configuration(options, { privateJwks, cookieKeys }, resource, resourceServer),
  );
  // Behind NGINX (npm run stack) the endpoint URLs must use the public scheme and host.
  provider.proxy = true;
  const { Client } = provider;
  // Keycloak puts `sid` in every token; oidc-provider only for back-channel logout clients.
  Client.prototype.includeSid = () => true;
  allowWebAppRedirects(provider, options.publicUrl);

  registerPasswordGrant(provider, {
    resource,
    resourceServer,
    supportedScopes: SUPPORTED_SCOPES,
    defaultScopes: DEFAULT_SCOPES,
    findAccount,
  });
  const onBackchannelError = (error: unknown) => options.onBackgroundError?.(error);
  provider.use(keycloakTokenResponse);
  provider.use(endSessionOnRefreshTokenReuse(provider, onBackchannelError));
  provider.use(devLogin(provider));
  provider.use(
    keycloakLogout(provider, {
      path: KEYCLOAK_ROUTES.end_session,
      readForm: readLoginForm,
      onBackchannelError,
    }),
  );
  return { provider, publicJwks };
}
