/**
 * The one place that decides what a caller may do. Routes declare the action
 * they perform (`allows`); services ask about a particular task
 * (`canSee`/`canChange`) and which tasks a listing may show (`visibilityOf`).
 * A caller with several roles gets the union of their rights.
 */
import type { Principal, Role } from './principal.ts';

const TaskActions = ['task:list', 'task:read', 'task:create', 'task:update', 'task:delete'] as const;
/**
 * `user:list`: the directory of people (names and addresses), for those who see everyone's tasks.
 * `task:import`: creating tasks in bulk, for anyone (owner_id as POST takes it): admins only.
 */
export const Actions = [...TaskActions, 'user:list', 'task:import'] as const;
export type Action = (typeof Actions)[number];

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set(Actions),
  user: new Set(TaskActions),
  viewer: new Set(['task:list', 'task:read', 'user:list']),
};

/** Which tasks a listing may include for this caller. */
export type Visibility = { kind: 'all' } | { kind: 'owner'; ownerId: string };

const hasRole = (principal: Principal, role: Role) => principal.roles.has(role);
const seesEverything = (principal: Principal) => hasRole(principal, 'admin') || hasRole(principal, 'viewer');

export function hasAnyRole(principal: Principal): boolean {
  return principal.roles.size > 0;
}

/** May the caller's roles perform this kind of action at all (before looking at a task)? */
export function allows(principal: Principal, action: Action): boolean {
  for (const role of principal.roles) if (GRANTS[role].has(action)) return true;
  return false;
}

export function visibilityOf(principal: Principal): Visibility {
  return seesEverything(principal) ? { kind: 'all' } : { kind: 'owner', ownerId: principal.subject };
}

export function canSee(principal: Principal, task: { owner_id: string }): boolean {
  return seesEverything(principal) || task.owner_id === principal.subject;
}

export function canChange(principal: Principal, task: { owner_id: string }): boolean {
  if (hasRole(principal, 'admin')) return true;
  return hasRole(principal, 'user') && task.owner_id === principal.subject;
}

/**
 * `canChange` for any task, as a filter the database can apply: every task
 * (`ownerId` null, an admin), one owner's, or none (undefined).
 */
export function changeScope(principal: Principal): { ownerId: string | null } | undefined {
  if (hasRole(principal, 'admin')) return { ownerId: null };
  return hasRole(principal, 'user') ? { ownerId: principal.subject } : undefined;
}

/** Only an admin may choose or change a task's owner. */
export function canAssignOwner(principal: Principal): boolean {
  return hasRole(principal, 'admin');
}

/** A listing filtered by `owner_id`: a caller who sees only their own tasks may only name themself. */
export function canFilterByOwner(principal: Principal, ownerId: string): boolean {
  return seesEverything(principal) || ownerId === principal.subject;
}
