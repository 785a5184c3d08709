/**
 * The one description, for the tests, of an access token of the `tasks`
 * realm as the API relies on it: the claims Keycloak 26 puts in a token for
 * `tasks-cli` or `tasks-web` through the realm export's mappers (the
 * audience mapper adds `tasks-api` to `aud`; the default scopes `profile`,
 * `email` and `roles` add the user's name, e-mail and realm roles; `sid`
 * names the session a back-channel logout ends). The development provider's
 * tokens, the test fixture's tokens and the realm export are all checked
 * against it. (Keycloak adds a few claims the API ignores: `acr`,
 * `allowed-origins`, `resource_access`.)
 */
export const KEYCLOAK_ACCESS_TOKEN_CLAIMS = [
  'aud',
  'azp',
  'email',
  'email_verified',
  'exp',
  'iat',
  'iss',
  'jti',
  'preferred_username',
  'realm_access',
  'scope',
  'sid',
  'sub',
  'typ',
] as const;

/** `aud` of such a token: the API (audience mapper) and Keycloak's own `account`. */
export const KEYCLOAK_ACCESS_TOKEN_AUDIENCE = ['tasks-api', 'account'] as const;

/** The claim names of a decoded JWT payload, sorted. */
export const claimNamesOf = (token: string): string[] =>
  Object.keys(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())).sort();
