/**
 * Keycloak's OIDC endpoint paths, relative to a realm's issuer
 * (`<base>/realms/tasks`): what the development provider serves and where
 * the docs page sends a browser to log in, whichever of the two issues tokens.
 */
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
