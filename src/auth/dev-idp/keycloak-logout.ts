/**
 * Logout the Keycloak way for clients without a browser: `POST
 * <end_session_endpoint>` with the form `client_id` and `refresh_token`
 * (docs/api.md). Like Keycloak, it ends the whole login session (session-end.ts),
 * whichever of the session's refresh tokens is given: the current one or one
 * already rotated away, so a client that lost track of its newest token can
 * still log out. Answers 204, as Keycloak does. oidc-provider's end_session
 * is the browser flow only (id_token_hint and a confirmation form); any
 * request without `refresh_token` is handed to it untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { type BackchannelErrorHandler, endSessionOf } from './session-end.ts';

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;

export interface KeycloakLogoutOptions {
  /** The end_session path relative to the issuer. */
  path: string;
  readForm(req: IncomingMessage): Promise<string>;
  onBackchannelError: BackchannelErrorHandler;
}

function answer(ctx: KoaContextWithOIDC, status: number, error?: string, description?: string) {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  if (error) ctx.body = { error, error_description: description };
}

export function keycloakLogout(provider: Provider, options: KeycloakLogoutOptions): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== options.path || !ctx.is('application/x-www-form-urlencoded')) {
      return next();
    }
    const raw = await options.readForm(ctx.req);
    const form = new URLSearchParams(raw);
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) {
      // The browser flow: oidc-provider parses the already-read body.
      Object.assign(ctx.req, { body: raw });
      return next();
    }
    const clientId = form.get('client_id');
    if (!clientId) return answer(ctx, 400, 'invalid_request', 'Parameter client_id not present');
    const client = await provider.Client.find(clientId);
    // The development clients are public; a confidential one would have to authenticate here.
    if (client?.tokenEndpointAuthMethod !== 'none') {
      return answer(ctx, 401, 'invalid_client', 'Invalid client credentials');
    }
    // A rotated (consumed) token still names its session, which lives until a logout or a reuse ends it.
    const token = await provider.RefreshToken.find(refreshToken);
    if (!token || token.isExpired || token.clientId !== clientId || !token.accountId) {
      return answer(ctx, 400, 'invalid_grant', 'Invalid refresh token');
    }
    await endSessionOf(provider, token, options.onBackchannelError);
    return answer(ctx, 204);
  };
}

/**
 * oidc-provider's `fetch`: a logout token for the API's own endpoint goes to
 * this very server (`localBaseUrl`), since the public URL may be a proxy with
 * a certificate this process does not trust, or unreachable from inside.
 * oidc-provider refuses loopback and private addresses (its SSRF guard); this
 * one target is known, so the guard is left out for it and kept for the rest.
 */
export function localDeliveryFetch(
  endpoint: string,
  localBaseUrl: () => string | undefined,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const target = new URL(endpoint);
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const local = localBaseUrl();
    if (url !== target.href || !local) return globalThis.fetch(input, init);
    const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return globalThis.fetch(`${local}${target.pathname}`, rest);
  };
}
