/**
 * Ending a whole login session, as Keycloak's logout does: every grant of it
 * is revoked (refresh tokens dead), the browser session, if any, is
 * destroyed, and every client of the session with a back-channel logout URI
 * receives a logout token, built, signed and posted by oidc-provider itself
 * (`Client#backchannelLogout`, what its own browser end-session flow uses),
 * so the API refuses the session's access tokens on every instance. Two
 * things end a session: a logout with any of its refresh tokens
 * (keycloak-logout.ts), and a spent refresh token presented again, the theft
 * signal of RFC 9700 section 4.14.2 (`endSessionOnRefreshTokenReuse`).
 */
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;
type RefreshToken = InstanceType<Provider['RefreshToken']>;

interface LoggedOutClient {
  clientId: string;
  grantId: string | undefined;
  sid: string | undefined;
}

/** A client's back-channel logout failed (logged; the logout itself stands, as in Keycloak). */
export type BackchannelErrorHandler = (error: unknown, clientId: string) => void;

async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.Grant.adapter.destroy(grantId),
  ]);
}

/** Ends the session `token` (current or already rotated) belongs to; resolves once the clients are told. */
export async function endSessionOf(
  provider: Provider,
  token: RefreshToken,
  onBackchannelError: BackchannelErrorHandler,
): Promise<void> {
  const { accountId, clientId } = token;
  if (!accountId || !clientId) return;
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
        onBackchannelError(error, id);
      }
    }),
  );
}

/**
 * oidc-provider answers a spent refresh token with `invalid_grant` and
 * revokes that one grant, which leaves the session's JWT access tokens
 * valid (the API verifies them locally) and, for a browser session, its
 * other clients logged in. Whoever presents a spent token, the thief or the
 * victim, one of them holds a stolen token: the whole session ends before
 * the answer goes out.
 */
export function endSessionOnRefreshTokenReuse(
  provider: Provider,
  onBackchannelError: BackchannelErrorHandler,
): Middleware {
  return async (ctx, next) => {
    await next();
    const presented = ctx.oidc?.route === 'token' ? ctx.oidc.entities.RefreshToken : undefined;
    if (ctx.status !== 400 || !presented?.consumed) return;
    await endSessionOf(provider, presented, onBackchannelError);
  };
}
