/**
 * The one description of a Keycloak access token, as Keycloak 26 issues it
 * to a client whose audience mapper adds the API. The development provider
 * builds its tokens from it, and tests mint identical ones with it, so a
 * token the API accepts in tests is one Keycloak would issue.
 */

/** Keycloak's default "Access Token Lifespan"; short because a locally verified token outlives a logout. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 300;

/** JOSE header (plus `kid`): Keycloak types its access tokens `JWT`, not RFC 9068's `at+jwt`. */
export const KEYCLOAK_ACCESS_TOKEN_HEADER = { alg: 'RS256', typ: 'JWT' } as const;

/** Claims the API relies on; a token without one of them is not Keycloak-shaped. */
export const REQUIRED_ACCESS_TOKEN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'jti',
  'typ',
  'azp',
  'sid',
  'scope',
  'realm_access',
] as const;

export interface KeycloakAccessTokenPayload {
  iss: string;
  sub: string;
  /** Includes the API's audience (Keycloak adds it through an audience mapper) and `account`. */
  aud: string[];
  exp: number;
  iat: number;
  jti: string;
  /** Keycloak's token kind: `Bearer` for access tokens (`Refresh`, `ID` for the others). */
  typ: 'Bearer';
  /** The client the token was issued to. */
  azp: string;
  /** The login session: what a back-channel logout names (Keycloak 26 dropped `session_state` here). */
  sid: string;
  scope: string;
  realm_access: { roles: string[] };
  // From the default client scopes `profile` and `email`.
  preferred_username: string;
  email: string;
  email_verified: boolean;
}

/** Who the token is about. */
export interface KeycloakTokenSubject {
  sub: string;
  username: string;
  email: string;
  roles: readonly string[];
}

export interface KeycloakTokenContext {
  issuer: string;
  /** The API's audience, e.g. `tasks-api`. */
  audience: string;
  clientId: string;
  sessionId: string;
  scope: string;
}

/** Every claim of a Keycloak access token except the per-token ones (`iat`, `exp`, `jti`). */
export function keycloakAccessTokenClaims(
  user: KeycloakTokenSubject,
  context: KeycloakTokenContext,
): Omit<KeycloakAccessTokenPayload, 'iat' | 'exp' | 'jti'> {
  return {
    iss: context.issuer,
    sub: user.sub,
    aud: [context.audience, 'account'],
    typ: 'Bearer',
    azp: context.clientId,
    sid: context.sessionId,
    scope: context.scope,
    realm_access: { roles: [...user.roles] },
    preferred_username: user.username,
    email: user.email,
    email_verified: true,
  };
}
