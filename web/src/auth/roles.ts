/**
 * What a person may do, from the roles in their access token. The API is the
 * authority and refuses anything else; the app only hides what would be
 * refused, so a viewer never sees a write control.
 */
export type Role = 'admin' | 'user' | 'viewer';
const ROLES: readonly Role[] = ['admin', 'user', 'viewer'];

/** The roles at a dotted claim path (Keycloak: `realm_access.roles`), known roles only. */
export function rolesOf(claims: Record<string, unknown>, path: string): Role[] {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return Array.isArray(value) ? ROLES.filter((role) => value.includes(role)) : [];
}

export interface Capabilities {
  /** Any role of the contract: may use the app at all. */
  hasRole: boolean;
  /** May create tasks, and change or delete those it may see (own ones for a user). */
  canWrite: boolean;
  /** Sees every person's tasks, so owners are shown and filterable. */
  seesEveryone: boolean;
}

export function capabilitiesOf(roles: readonly Role[]): Capabilities {
  return {
    hasRole: roles.length > 0,
    canWrite: roles.includes('admin') || roles.includes('user'),
    seesEveryone: roles.includes('admin') || roles.includes('viewer'),
  };
}
