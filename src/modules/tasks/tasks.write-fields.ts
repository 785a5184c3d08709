/**
 * The fields and event of a write, built from its request before any
 * transaction: the defaults of a create or a replace, what a change leaves
 * as it is, and what the one-statement change must check (tasks.service.ts
 * runs them).
 */
import { v7 as uuidv7 } from 'uuid';
import { canAssignOwner, changeScope } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ChangeGuard, ChangeRequest } from './tasks.change.ts';
import type { EventContext } from './tasks.events.ts';
import type * as repository from './tasks.repository.ts';
import { ifMatchVersions, normalizeDueAt, normalizeLabels, normalizeTitle } from './tasks.rules.ts';
import type { CreateTaskBody, Task } from './tasks.schemas.ts';

/** What a write request brings besides its body: its id (for its event) and `If-Match`. */
export interface WriteContext {
  requestId: string;
  ifMatch?: string | undefined;
}

/** The event of a write: a new id, the request, and who made it. */
export const eventOf = (principal: Principal, write: { requestId: string }): EventContext => ({
  eventId: uuidv7(),
  requestId: write.requestId,
  actorId: principal.subject,
  ownerEmail: null,
});

export const ownerChangeForbidden = () =>
  new AppError('FORBIDDEN', 'Only an admin may set or change owner_id.');

/** The locked path has checked everything itself: the statement needs no guard. */
export const NO_GUARD: ChangeGuard = { ownerId: null, versions: null };

/**
 * What the one-statement change must check in the database, as `canChange`
 * and `assertIfMatch` decide, with the request's fields; undefined when it
 * cannot say it as simply (a caller that is neither admin nor user, a user
 * naming an owner, a body the rules refuse): the locked path then answers,
 * in the order it always has (404 before 403 before 412 before 422).
 */
export function guardOf(
  principal: Principal,
  write: WriteContext,
  request: () => ChangeRequest,
): (ChangeGuard & { request: ChangeRequest }) | undefined {
  const scope = changeScope(principal);
  if (scope === undefined) return undefined;
  let fields: ChangeRequest;
  try {
    fields = request();
  } catch {
    return undefined;
  }
  if (fields.owner_id !== undefined && !canAssignOwner(principal)) return undefined;
  return { ownerId: scope.ownerId, versions: ifMatchVersions(write.ifMatch), request: fields };
}

/** A task's writable fields, as they are. */
export const fieldsOf = (task: Task): repository.TaskChanges => ({
  title: task.title,
  description: task.description,
  status: task.status,
  owner_id: task.owner_id,
  due_at: task.due_at,
  priority: task.priority,
  labels: task.labels,
});

/** true when `request` sets every field to the value it has. */
export function unchanged(current: Task, request: ChangeRequest): boolean {
  return (Object.keys(request) as (keyof ChangeRequest)[]).every((field) => {
    const value = request[field];
    return field === 'labels'
      ? (value as string[]).join('\u0000') === current.labels.join('\u0000')
      : value === current[field];
  });
}

/** The fields of a create or a replace (PUT): an omitted optional field takes its default. */
export function replacement(body: CreateTaskBody): Omit<repository.TaskChanges, 'owner_id'> {
  return {
    title: normalizeTitle(body.title),
    description: body.description ?? null,
    status: body.status ?? 'todo',
    due_at: normalizeDueAt(body.due_at ?? null),
    priority: body.priority ?? 'none',
    labels: normalizeLabels(body.labels ?? []),
  };
}

/**
 * A task as POST /tasks creates it, with its `task.created` event: the
 * caller owns it unless an admin names another owner, and an omitted field
 * takes its default. Throws the 403 or 422 of a body the rules refuse.
 */
export function newTaskWithEvent(
  principal: Principal,
  body: CreateTaskBody,
  write: { requestId: string },
): repository.NewTaskWithEvent {
  // Naming yourself sets nothing the default would not: only another owner needs the admin role.
  if (body.owner_id !== undefined && body.owner_id !== principal.subject && !canAssignOwner(principal)) {
    throw ownerChangeForbidden();
  }
  const task = { id: uuidv7(), ...replacement(body), owner_id: body.owner_id ?? principal.subject };
  // The notification goes to the owner; their address is known when they create the task themselves.
  const ownerEmail = task.owner_id === principal.subject ? (principal.email ?? null) : null;
  return { task, event: { ...eventOf(principal, write), ownerEmail } };
}
