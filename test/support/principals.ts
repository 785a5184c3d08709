import type { Principal, Role } from '../../src/auth/principal.ts';

/** A verified caller as the auth plugin would produce it, for unit tests of rules. */
export const caller = (subject: string, ...roles: Role[]): Principal => ({
  subject,
  roles: new Set(roles),
  username: subject,
  name: undefined,
  email: undefined,
  sessionId: undefined,
  issuedAt: undefined,
  expiresAt: 0,
});
