/**
 * The development provider's two clients, as the `tasks` realm of Keycloak
 * names them: the command line (password grant) and the docs and web app
 * (authorization code), with the web app's redirects on this server or on
 * Vite's development server.
 */
import type { ClientMetadata, Provider } from 'oidc-provider';
import { APP_PREFIX } from '../../http/web-app.ts';
import { DOCS_OAUTH2_REDIRECT_PATH } from '../../openapi.ts';
import { PASSWORD_GRANT_TYPE } from './password-grant.ts';

export const CLI_CLIENT_ID = 'tasks-cli';
export const WEB_CLIENT_ID = 'tasks-web';
/** The web UI's development server (Vite): any path on it may receive the login redirect. */
export const WEB_UI_ORIGIN = 'http://localhost:5173';

export function devClients(publicUrl: string, backchannelLogoutUri: string | undefined): ClientMetadata[] {
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

export const originOf = (uri: string) => {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
};

/**
 * Lets the web app's routes receive the login and logout redirects, on this
 * server (whatever port it serves on) or on Vite's development server.
 */
export function allowWebAppRedirects(provider: Provider, publicUrl: string): void {
  const { Client } = provider;
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = Client.prototype;
  const appOrigin = originOf(publicUrl);
  const isWebUi = (client: InstanceType<typeof Client>, uri: string) =>
    client.clientId === WEB_CLIENT_ID &&
    (originOf(uri) === WEB_UI_ORIGIN ||
      (originOf(uri) === appOrigin && new URL(uri).pathname.startsWith(APP_PREFIX)));
  Client.prototype.redirectUriAllowed = function (uri) {
    return isWebUi(this, uri) || redirectUriAllowed.call(this, uri);
  };
  Client.prototype.postLogoutRedirectUriAllowed = function (uri) {
    return isWebUi(this, uri) || postLogoutRedirectUriAllowed.call(this, uri);
  };
}
