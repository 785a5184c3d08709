/**
 * The oidc-provider configuration that makes the development provider look
 * like the `tasks` realm of a Keycloak: its routes, scopes, claims, session
 * lifetimes, pages and access token shape.
 */
import type { JSONWebKeySet } from 'jose';
import { type Configuration, errors, type FindAccount, type ResourceServer } from 'oidc-provider';
import type pg from 'pg';
import { KEYCLOAK_ROUTES } from '../keycloak-routes.ts';
import { devClients, originOf, WEB_CLIENT_ID, WEB_UI_ORIGIN } from './dev-clients.ts';
import { findDevUserBySub, standardClaimsOf } from './dev-users.ts';
import { localDeliveryFetch } from './keycloak-logout.ts';
import { ACCESS_TOKEN_LIFETIME_SECONDS, keycloakAccessTokenClaims } from './keycloak-token-shape.ts';
import { logoutPage, messagePage } from './pages.ts';
import { pgAdapterFactory } from './pg-adapter.ts';

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
/** Keycloak's default client scopes: in every token, asked for or not. */
export const DEFAULT_SCOPES = ['profile', 'email'] as const;

// Keycloak's realm defaults: "SSO Session Idle" 30 minutes, "SSO Session Max" 10 hours.
const SESSION_IDLE_SECONDS = 30 * 60;
const SESSION_MAX_SECONDS = 10 * 60 * 60;

export interface DevIdentityProviderOptions {
  issuer: string;
  publicUrl: string;
  /** The API's audience, e.g. `tasks-api`: in `aud` of every access token. */
  audience: string;
  pool: Pick<pg.Pool, 'query'>;
  dataDir: string;
  /** Told about failures that do not fail a request (the sweep of expired rows, a back-channel logout). */
  onBackgroundError?: (error: unknown) => void;
  /** The API's back-channel logout endpoint, as Keycloak's realm names it for tasks-cli and tasks-web. */
  backchannelLogoutUri?: string;
  /** Where this server listens: logout tokens for `backchannelLogoutUri` are delivered there. */
  localBaseUrl?: () => string | undefined;
}

export const findAccount: FindAccount = (_ctx, sub) => {
  const user = findDevUserBySub(sub);
  return user && { accountId: user.sub, claims: () => standardClaimsOf(user) };
};

export function configuration(
  options: DevIdentityProviderOptions,
  keys: { privateJwks: JSONWebKeySet; cookieKeys: string[] },
  resource: string,
  resourceServer: ResourceServer,
): Configuration {
  return {
    adapter: pgAdapterFactory(options.pool, options.onBackgroundError),
    clients: devClients(options.publicUrl, options.backchannelLogoutUri),
    ...(options.backchannelLogoutUri && options.localBaseUrl
      ? { fetch: localDeliveryFetch(options.backchannelLogoutUri, options.localBaseUrl) }
      : {}),
    jwks: keys.privateJwks as Configuration['jwks'],
    cookies: { keys: keys.cookieKeys },
    findAccount,
    routes: KEYCLOAK_ROUTES,
    scopes: [...SUPPORTED_SCOPES],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Keycloak issues a refresh token to every client allowed the refresh grant, and rotates it.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ACCESS_TOKEN_LIFETIME_SECONDS,
      AuthorizationCode: 60,
      IdToken: ACCESS_TOKEN_LIFETIME_SECONDS,
      Interaction: SESSION_IDLE_SECONDS,
      Grant: SESSION_MAX_SECONDS,
      Session: SESSION_MAX_SECONDS,
      RefreshToken: (_ctx, token) =>
        Math.max(1, Math.min(SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS - token.totalLifetime())),
    },
    // First-party clients only: the user is never asked to consent (Keycloak's "Consent required: off").
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant =
        (grantId ? await Grant.find(grantId) : undefined) ??
        new Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope(SUPPORTED_SCOPES.join(' '));
      grant.addResourceScope(resource, SUPPORTED_SCOPES.join(' '));
      await grant.save();
      return grant;
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === WEB_CLIENT_ID &&
      (origin === WEB_UI_ORIGIN || origin === originOf(options.publicUrl)),
    // The sign-in page is ours (login-interaction.ts); oidc-provider's development one invites any name.
    interactions: {
      url: (_ctx, interaction) => `${new URL(options.issuer).pathname}/interaction/${interaction.uid}`,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage(
        'Sign-in problem',
        `The sign-in could not go on (${out.error_description ?? out.error}). Start again from the application.`,
      );
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out. You can close this page.');
        },
      },
      // Logout tokens to the clients' back-channel URIs (the API's endpoint) when a session ends.
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Keycloak clients never send `resource`: every token is for the API unless asked otherwise.
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return resourceServer;
        },
      },
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          const user = token.kind === 'AccessToken' ? findDevUserBySub(token.accountId) : undefined;
          if (token.kind !== 'AccessToken' || !user) throw new Error('access token for no development user');
          const iat = jwt.payload.iat as number;
          jwt.header = { ...jwt.header, typ: 'JWT' };
          delete jwt.payload.client_id; // Keycloak names the client `azp`
          Object.assign(jwt.payload, {
            ...keycloakAccessTokenClaims(user, {
              issuer: options.issuer,
              audience: options.audience,
              clientId: token.clientId ?? '',
              // includeSid (below) gives every token a sid; the others only keep a token well-formed.
              sessionId: token.sid ?? token.sessionUid ?? token.grantId,
              scope: token.scope ?? '',
            }),
            exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
          });
        },
      },
    },
  };
}
