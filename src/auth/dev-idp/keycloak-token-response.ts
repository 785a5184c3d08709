import type { KoaContextWithOIDC } from 'oidc-provider';

/** Adds Keycloak's extra token response members, which some Keycloak clients read. */
export async function keycloakTokenResponse(ctx: KoaContextWithOIDC, next: () => Promise<unknown>) {
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
