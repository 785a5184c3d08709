/**
 * Logout the Keycloak way for clients without a browser: `POST
 * <end_session_endpoint>` with the form `client_id` and `refresh_token`
 * (API.md). Like Keycloak, it ends the whole login session: every grant of
 * it is revoked (refresh tokens dead), the browser session, if any, is
 * destroyed, and every client of the session with a back-channel logout URI
 * receives a logout token, built, signed and posted by oidc-provider itself
 * (`Client#backchannelLogout`, what its own browser end-session flow uses),
 * so the API runs exactly the path Keycloak's logout drives. Answers 204, as
 * Keycloak does. oidc-provider's end_session is the browser flow only
 * (id_token_hint and a confirmation form); any request without
 * `refresh_token` is handed to it untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;

interface LoggedOutClient {
  clientId: string;
  grantId: string | undefined;
  sid: string | undefined;
}

export interface KeycloakLogoutOptions {
  /** The end_session path relative to the issuer. */
  path: string;
  readForm(req: IncomingMessage): Promise<string>;
  /** A client's back-channel logout failed (logged; the logout itself stands, as in Keycloak). */
  onBackchannelError(error: unknown, clientId: string): void;
}

function answer(ctx: KoaContextWithOIDC, status: number, error?: string, description?: string) {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  if (error) ctx.body = { error, error_description: description };
}

async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.Grant.adapter.destroy(grantId),
  ]);
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
    const token = await provider.RefreshToken.find(refreshToken);
    if (!token || token.isExpired || token.consumed || token.clientId !== clientId || !token.accountId) {
      return answer(ctx, 400, 'invalid_grant', 'Invalid refresh token');
    }

    const loggedOut = new Map<string, LoggedOutClient>();
    const session = token.sessionUid ? await provider.Session.findByUid(token.sessionUid) : undefined;
    for (const [id, authorization] of Object.entries(session?.authorizations ?? {})) {
      loggedOut.set(`${id} ${authorization.grantId}`, {
        clientId: id,
        grantId: authorization.grantId,
        sid: authorization.sid,
      });
    }
    // A password login has no browser session: the refresh token's grant and sid are the session.
    loggedOut.set(`${clientId} ${token.grantId}`, { clientId, grantId: token.grantId, sid: token.sid });

    await token.destroy();
    await session?.destroy();
    for (const { grantId } of loggedOut.values()) if (grantId) await revokeGrant(provider, grantId);
    const accountId = token.accountId;
    await Promise.all(
      [...loggedOut.values()].map(async ({ clientId: id, sid }) => {
        const target = await provider.Client.find(id);
        if (!target?.backchannelLogoutUri) return;
        try {
          // Not in the typings: oidc-provider's own logout token delivery (src: lib/models/client.js).
          await (
            target as unknown as { backchannelLogout(sub: string, sid?: string): Promise<void> }
          ).backchannelLogout(accountId, sid);
        } catch (error) {
          options.onBackchannelError(error, id);
        }
      }),
    );
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
