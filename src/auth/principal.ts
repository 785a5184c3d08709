export const Roles = ['admin', 'user', 'viewer'] as const;
export type Role = (typeof Roles)[number];

/** The verified caller of a request: who they are and what their token grants. */
export interface Principal {
  subject: string;
  roles: ReadonlySet<Role>;
  username: string | undefined;
  /** The `name` claim (full name), when the token has one. */
  name: string | undefined;
  email: string | undefined;
  /** OIDC session id (`sid`): what a back-channel logout names. */
  sessionId: string | undefined;
  /** Token issue time (`iat`), seconds since the epoch: a logout naming only `sub` refuses older tokens. */
  issuedAt: number | undefined;
  /** Token expiry, seconds since the epoch. */
  expiresAt: number;
}
