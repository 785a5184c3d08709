/**
 * The development users of docs/api.md. Their `sub` values are fixed UUIDs, as
 * Keycloak's are, and the same ones the realm export and the test fixture
 * use, so a task created with one provider keeps its owner under the other.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Role } from '../principal.ts';

export interface DevUser {
  username: string;
  password: string;
  sub: string;
  email: string;
  roles: readonly Role[];
}

function devUser(username: string, sub: string, roles: readonly Role[]): DevUser {
  return { username, password: username, sub, email: `${username}@example.test`, roles };
}

export const DEV_USERS: readonly DevUser[] = [
  devUser('alice', 'a1a1a1a1-0000-4000-8000-000000000001', ['admin']),
  devUser('bob', 'b0b0b0b0-0000-4000-8000-000000000002', ['user']),
  devUser('carol', 'ca0ca0ca-0000-4000-8000-000000000003', ['viewer']),
  devUser('dave', 'dadadada-0000-4000-8000-000000000004', ['user']),
  devUser('erin', 'e0e0e0e0-0000-4000-8000-000000000005', []),
];

export function findDevUserBySub(sub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.sub === sub);
}

export function findDevUserByUsername(username: string): DevUser | undefined {
  // Keycloak matches usernames case-insensitively.
  const wanted = username.toLowerCase();
  return DEV_USERS.find((user) => user.username === wanted);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The user these credentials belong to, or undefined (unknown user and wrong password look alike). */
export function authenticateDevUser(username: string, password: string): DevUser | undefined {
  const user = findDevUserByUsername(username);
  return user && sameSecret(password, user.password) ? user : undefined;
}

/** The OIDC standard claims of a user (ID token and userinfo), as Keycloak names them. */
export function standardClaimsOf(user: DevUser) {
  return {
    sub: user.sub,
    preferred_username: user.username,
    email: user.email,
    email_verified: true,
  };
}
