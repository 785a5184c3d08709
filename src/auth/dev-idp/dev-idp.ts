/**
 * The development identity provider: the certified `oidc-provider` library
 * configured to look like the `tasks` realm of a Keycloak (paths, clients,
 * token shape, lifetimes), so clients written for Keycloak work unchanged
 * and the API verifies its tokens exactly as it verifies Keycloak's.
 * Development only: its users and passwords are public.
 */
import type { IncomingMessage } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import Provider, {
  type ClientMetadata,
  type Configuration,
  errors,
  type FindAccount,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import type pg from 'pg';
import { DOCS_OAUTH2_REDIRECT_PATH } from '../../openapi.ts';
import { authenticateDevUser, findDevUserBySub, standardClaimsOf } from './dev-users.ts';
import { keycloakLogout, localDeliveryFetch } from './keycloak-logout.ts';
import { ACCESS_TOKEN_LIFETIME_SECONDS, keycloakAccessTokenClaims } from './keycloak-token-shape.ts';
import { PASSWORD_GRANT_TYPE, registerPasswordGrant } from './password-grant.ts';
import { pgAdapterFactory } from './pg-adapter.ts';
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys } from './signing-keys.ts';

export const CLI_CLIENT_ID = 'tasks-cli';
export const WEB_CLIENT_ID = 'tasks-web';
/** The web UI's development server (Vite): any path on it may receive the login redirect. */
export const WEB_UI_ORIGIN = 'http://localhost:5173';

/** Keycloak's endpoint paths, relative to the issuer `<publicUrl>/realms/tasks`. */
export const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
} as const;

const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
/** Keycloak's default client scopes: in every token, asked for or not. */
const DEFAULT_SCOPES = ['profile', 'email'] as const;

// Keycloak's realm defaults: "SSO Session Idle" 30 minutes, "SSO Session Max" 10 hours.
const SESSION_IDLE_SECONDS = 30 * 60;
const SESSION_MAX_SECONDS = 10 * 60 * 60;
const LOGIN_FORM_LIMIT_BYTES = 16 * 1024;

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

export interface DevIdentityProvider {
  provider: Provider;
  /** What the JWKS endpoint serves. */
  publicJwks: JSONWebKeySet;
}

function clients(publicUrl: string, backchannelLogoutUri: string | undefined): ClientMetadata[] {
  // Keycloak's "Backchannel logout URL" and "Backchannel logout session required" of both clients.
  const backchannel: Partial<ClientMetadata> = backchannelLogoutUri
    ? { backchannel_logout_uri: backchannelLogoutUri, backchannel_logout_session_required: true }
    : {};
  return [
    {
      client_id: CLI_CLIENT_ID,
      client_name: 'Task API command line',
      token_endpoint_auth_method: 'none',
      grant_types: [PASSWORD_GRANT_TYPE, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      ...backchannel,
    },
    {
      client_id: WEB_CLIENT_ID,
      client_name: 'Task API docs and web UI',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${publicUrl}${DOCS_OAUTH2_REDIRECT_PATH}`, `${WEB_UI_ORIGIN}/`],
      post_logout_redirect_uris: [`${publicUrl}/docs/`, `${WEB_UI_ORIGIN}/`],
      ...backchannel,
    },
  ];
}

const originOf = (uri: string) => {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
};

const findAccount: FindAccount = (_ctx, sub) => {
  const user = findDevUserBySub(sub);
  return user && { accountId: user.sub, claims: () => standardClaimsOf(user) };
};

function configuration(
  options: DevIdentityProviderOptions,
  keys: { privateJwks: JSONWebKeySet; cookieKeys: string[] },
  resource: string,
  resourceServer: ResourceServer,
): Configuration {
  return {
    adapter: pgAdapterFactory(options.pool, options.onBackgroundError),
    clients: clients(options.publicUrl, options.backchannelLogoutUri),
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
    features: {
      devInteractions: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: true },
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

/** Adds Keycloak's extra token response members, which some Keycloak clients read. */
async function keycloakTokenResponse(ctx: KoaContextWithOIDC, next: () => Promise<unknown>) {
  await next();
  const body = ctx.body as Record<string, unknown> | undefined;
  if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || typeof body?.access_token !== 'string') return;
  const { AccessToken: accessToken, RefreshToken: refreshToken } = ctx.oidc.entities;
  ctx.body = {
    access_token: body.access_token,
    expires_in: body.expires_in,
    refresh_expires_in: refreshToken ? Math.max(0, refreshToken.remainingTTL) : 0,
    refresh_token: body.refresh_token,
    token_type: body.token_type,
    id_token: body.id_token,
    'not-before-policy': 0,
    session_state: accessToken?.sid,
    scope: body.scope,
  };
}

async function readLoginForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LOGIN_FORM_LIMIT_BYTES)
      throw Object.assign(new Error('login form too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The default development login form accepts any name without a password;
 * this accepts only the development users with their passwords, and makes
 * the account id the user's `sub`.
 */
function devLoginCheck(provider: Provider) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    const uid = ctx.method === 'POST' ? /^\/interaction\/([\w-]+)$/.exec(ctx.path)?.[1] : undefined;
    if (!uid) return next();
    const raw = await readLoginForm(ctx.req);
    const form = new URLSearchParams(raw);
    if (form.get('prompt') !== 'login') {
      // Not a login (a consent, should one be asked): hand the already-read body to oidc-provider.
      Object.assign(ctx.req, { body: raw });
      return next();
    }
    const user = authenticateDevUser(form.get('login') ?? '', form.get('password') ?? '');
    if (!user) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><meta charset="utf-8"><title>Sign-in failed</title>
<p>Invalid username or password.</p><p><a href="${uid}">Try again</a></p>`;
      return;
    }
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: user.sub, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  };
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
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = Client.prototype;
  const isWebUi = (client: InstanceType<typeof Client>, uri: string) =>
    client.clientId === WEB_CLIENT_ID && originOf(uri) === WEB_UI_ORIGIN;
  Client.prototype.redirectUriAllowed = function (uri) {
    return isWebUi(this, uri) || redirectUriAllowed.call(this, uri);
  };
  Client.prototype.postLogoutRedirectUriAllowed = function (uri) {
    return isWebUi(this, uri) || postLogoutRedirectUriAllowed.call(this, uri);
  };

  registerPasswordGrant(provider, {
    resource,
    resourceServer,
    supportedScopes: SUPPORTED_SCOPES,
    defaultScopes: DEFAULT_SCOPES,
    findAccount,
  });
  provider.use(keycloakTokenResponse);
  provider.use(devLoginCheck(provider));
  provider.use(
    keycloakLogout(provider, {
      path: KEYCLOAK_ROUTES.end_session,
      readForm: readLoginForm,
      onBackchannelError: (error) => options.onBackgroundError?.(error),
    }),
  );
  return { provider, publicJwks };
}
