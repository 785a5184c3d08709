/**
 * The sign-in session, kept by oidc-client-ts: Authorization Code + PKCE
 * with the `tasks-web` client, tokens renewed with the refresh token a
 * minute before they expire, and sign-out that ends the session at the
 * provider (its tokens are then refused by the API at once).
 */
import { decodeJwt } from 'jose';
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { APP_BASE } from '../paths.ts';

/** What the API tells the app about its identity provider (GET /app/config.json). */
export interface AppConfig {
  issuer: string;
  clientId: string;
  rolesClaim: string;
}

export async function loadAppConfig(): Promise<AppConfig> {
  const response = await fetch(`${APP_BASE}config.json`);
  if (!response.ok) throw new Error(`The app's configuration could not be loaded (HTTP ${response.status}).`);
  return (await response.json()) as AppConfig;
}

export const CALLBACK_PATH = `${APP_BASE}callback`;
export const SIGNED_OUT_PATH = `${APP_BASE}signed-out`;

export function createUserManager(config: AppConfig): UserManager {
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${window.location.origin}${SIGNED_OUT_PATH}`,
    response_type: 'code',
    scope: 'openid profile email',
    // Renewed with the refresh token before the 5-minute access token runs out.
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    // Per tab: closing it forgets the tokens.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** The access token's claims, which carry the roles (the ID token does not). */
export const accessClaimsOf = (user: User): Record<string, unknown> => decodeJwt(user.access_token);

/** Where to return after signing in: the view the person was on. */
export const currentView = () => `${window.location.pathname}${window.location.search}`;

export function signIn(manager: UserManager, returnTo = currentView()): Promise<void> {
  return manager.signinRedirect({ state: { returnTo } });
}

/**
 * Ends the session at the provider the way Keycloak documents for public
 * clients (POST end_session with the refresh token): the provider revokes
 * the session and tells the API, which refuses its access tokens from then on.
 * Then the tokens are forgotten here.
 */
export async function signOut(manager: UserManager): Promise<void> {
  const user = await manager.getUser();
  const endpoint = await manager.metadataService.getEndSessionEndpoint();
  if (user?.refresh_token && endpoint) {
    await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: manager.settings.client_id, refresh_token: user.refresh_token }),
      credentials: 'include',
    });
  }
  await manager.removeUser();
  window.location.assign(SIGNED_OUT_PATH);
}
