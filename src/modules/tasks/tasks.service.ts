/**
 * The rules of tasks: who may do what to which task (asking the policy),
 * conditional writes, idempotent creation. Owns the transactions.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { canAssignOwner, canChange, canSee, changeScope } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError, taskNotFound } from '../../errors/app-error.ts';
import type { Committed, Database, Queryable } from '../../infra/db/database.ts';
import { type ChangeGuard, type ChangeRequest, changeTask } from './tasks.change.ts';
import { batchedCreates, type CreateTask } from './tasks.create-batch.ts';
import { isUuid } from './tasks.cursor.ts';
import type { EventContext } from './tasks.events.ts';
import type { ListingQuery } from './tasks.query.ts';
import type { Cached, CachedJson, TaskReads } from './tasks.reads.ts';
import * as repository from './tasks.repository.ts';
import {
  assertIfMatch,
  ifMatchVersions,
  normalizeDueAt,
  normalizeLabels,
  normalizeTitle,
} from './tasks.rules.ts';
import type { CreateTaskBody, PatchTaskBody, ReplaceTaskBody, Task } from './tasks.schemas.ts';

export interface CreateResult {
  task: Task;
  /** true when an Idempotency-Key replay returned the task created earlier */
  replayed: boolean;
}

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

/** A task's writable fields after a change, from the task as it is. */
export type NextFields = (current: Task) => repository.TaskChanges;
/** Changes one task within a transaction of several (`changeTogether`). */
export type ChangeOne = (id: string, write: WriteContext, next: NextFields) => Promise<Task>;

const ownerChangeForbidden = () => new AppError('FORBIDDEN', 'Only an admin may set or change owner_id.');

export class TasksService {
  private readonly createTask: CreateTask;

  constructor(
    private readonly db: Database,
    private readonly reads: TaskReads,
  ) {
    this.createTask = batchedCreates(db);
  }

  /** The page as JSON text (a `TaskPage`), straight from the cache when it holds it. */
  list(principal: Principal, listing: ListingQuery): Promise<CachedJson> {
    return this.reads.page(listing, principal.subject);
  }

  async get(principal: Principal, id: string): Promise<Cached<Task>> {
    if (!isUuid(id)) throw taskNotFound();
    const { value: task, cache } = await this.reads.task(id.toLowerCase(), principal.subject);
    if (!task || !canSee(principal, task)) throw taskNotFound();
    return { value: task, cache };
  }

  async create(
    principal: Principal,
    body: CreateTaskBody,
    context: { requestId: string; idempotencyKey?: string | undefined },
  ): Promise<CreateResult> {
    const { idempotencyKey } = context;
    const item = newTaskWithEvent(principal, body, context);
    const fields = item.task;
    if (idempotencyKey === undefined) {
      // One statement, no transaction around it, shared with the creates of the same moment.
      const task = await this.recorded(principal, this.createTask(item));
      return { task, replayed: false };
    }
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          fields.title,
          fields.description,
          fields.status,
          fields.owner_id,
          fields.due_at,
          fields.priority,
          fields.labels,
        ]),
      )
      .digest('base64url');
    const replay = (record: repository.IdempotencyRecord) => {
      if (record.request_hash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different body.');
      }
      return { task: record.response, replayed: true };
    };
    const createOnce = () =>
      this.write(principal, async (client) => {
        const earlier = await repository.findIdempotencyRecord(client, principal.subject, idempotencyKey);
        if (earlier) return replay(earlier);
        const [task] = (await repository.insertTasksWithEvents(client, [item])) as [Task];
        const recorded = await repository.recordIdempotencyKey(client, {
          callerId: principal.subject,
          key: idempotencyKey,
          requestHash,
          task,
        });
        // A concurrent request with the same key won; undo ours and answer as it did.
        if (!recorded) throw new ConcurrentIdempotentRequest();
        return { task, replayed: false };
      });
    try {
      return await createOnce();
    } catch (error) {
      if (!(error instanceof ConcurrentIdempotentRequest)) throw error;
      const winner = await repository.findIdempotencyRecord(
        this.db.primary,
        principal.subject,
        idempotencyKey,
      );
      if (!winner) throw error;
      return replay(winner);
    }
  }

  replace(principal: Principal, id: string, body: ReplaceTaskBody, write: WriteContext): Promise<Task> {
    return this.change(principal, id, write, () => ({
      ...replacement(body),
      ...(body.owner_id === undefined ? {} : { owner_id: body.owner_id }),
    }));
  }

  patch(principal: Principal, id: string, body: PatchTaskBody, write: WriteContext): Promise<Task> {
    return this.change(principal, id, write, () => ({
      ...(body.title === undefined ? {} : { title: normalizeTitle(body.title) }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.status === undefined ? {} : { status: body.status }),
      ...(body.owner_id === undefined ? {} : { owner_id: body.owner_id }),
      ...(body.due_at === undefined ? {} : { due_at: normalizeDueAt(body.due_at) }),
      ...(body.priority === undefined ? {} : { priority: body.priority }),
      ...(body.labels === undefined ? {} : { labels: normalizeLabels(body.labels) }),
    }));
  }

  async delete(principal: Principal, id: string, write: WriteContext): Promise<void> {
    await this.write(principal, async (client) => {
      const current = await this.lockChangeable(client, principal, id);
      assertIfMatch(write.ifMatch, current);
      await repository.deleteTask(client, current.id, eventOf(principal, write));
    });
  }

  /**
   * A change, first as one statement that checks in the database what the
   * locked path checks here (tasks.change.ts); when it writes nothing, the
   * task as read says why (404, 403, 412, or nothing to change), and only a
   * write of someone else in between sends it down the locked path.
   */
  private async change(
    principal: Principal,
    id: string,
    write: WriteContext,
    request: () => ChangeRequest,
  ): Promise<Task> {
    const guard = isUuid(id) ? guardOf(principal, write, request) : undefined;
    if (guard) {
      const { result, commitLsn } = await this.db.statement((db) =>
        changeTask(db, id.toLowerCase(), guard.request, guard, eventOf(principal, write)),
      );
      if (result.changed && result.task) {
        await this.reads.recordWrite(commitLsn, principal.subject);
        return result.task;
      }
      const current = this.changeable(principal, result.task);
      assertIfMatch(write.ifMatch, current);
      if (unchanged(current, guard.request)) return current;
    }
    return this.write(principal, (client) =>
      this.changeIn(client, principal, id, write, (current) => ({ ...fieldsOf(current), ...request() })),
    );
  }

  /**
   * Several tasks changed in one transaction, each exactly as PUT and PATCH change one (its
   * rights, its `If-Match`, its history entry and event); all or nothing. `work` changes them
   * through the function it is given, and may read and write more in the same transaction.
   */
  changeTogether<T>(principal: Principal, work: (client: Queryable, change: ChangeOne) => Promise<T>) {
    return this.write(principal, (client) =>
      work(client, (id, write, next) => this.changeIn(client, principal, id, write, next)),
    );
  }

  /** Reads the task under a row lock, checks visibility, rights and `If-Match`, then writes what changed. */
  private async changeIn(
    client: Queryable,
    principal: Principal,
    id: string,
    write: WriteContext,
    next: NextFields,
  ): Promise<Task> {
    const current = await this.lockChangeable(client, principal, id);
    assertIfMatch(write.ifMatch, current);
    const changes = next(current);
    if (changes.owner_id !== current.owner_id && !canAssignOwner(principal)) throw ownerChangeForbidden();
    // Nothing changes, so nothing is written: version and updated_at stay as they are.
    if (unchanged(current, changes)) return current;
    const { task } = await changeTask(client, current.id, changes, NO_GUARD, eventOf(principal, write));
    return task as Task;
  }

  /** Every write: one transaction, then every cached listing and task is made stale. */
  private write<T>(principal: Principal, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.recorded(principal, this.db.transaction(work));
  }

  /** A committed write makes every cached listing and task stale. */
  private async recorded<T>(principal: Principal, committed: Promise<Committed<T>>): Promise<T> {
    const { result, commitLsn } = await committed;
    // The writer's own reads must show it from now on, on any instance.
    await this.reads.recordWrite(commitLsn, principal.subject);
    return result;
  }

  private async lockChangeable(client: Queryable, principal: Principal, id: string): Promise<Task> {
    const task = isUuid(id)
      ? await repository.findTask(client, id.toLowerCase(), { forUpdate: true })
      : undefined;
    return this.changeable(principal, task);
  }

  /** The task, if the caller may change it; else the 404 or 403 they get. */
  private changeable(principal: Principal, task: Task | undefined): Task {
    // A task the caller may not change is one they may not see, or one a viewer only reads.
    if (!task || !canSee(principal, task)) throw taskNotFound();
    if (!canChange(principal, task))
      throw new AppError('FORBIDDEN', 'Your roles do not allow changing this task.');
    return task;
  }
}

/** The locked path has checked everything itself: the statement needs no guard. */
const NO_GUARD: ChangeGuard = { ownerId: null, versions: null };

/**
 * What the one-statement change must check in the database, as `canChange`
 * and `assertIfMatch` decide, with the request's fields; undefined when it
 * cannot say it as simply (a caller that is neither admin nor user, a user
 * naming an owner, a body the rules refuse): the locked path then answers,
 * in the order it always has (404 before 403 before 412 before 422).
 */
function guardOf(
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
const fieldsOf = (task: Task): repository.TaskChanges => ({
  title: task.title,
  description: task.description,
  status: task.status,
  owner_id: task.owner_id,
  due_at: task.due_at,
  priority: task.priority,
  labels: task.labels,
});

/** true when `request` sets every field to the value it has. */
function unchanged(current: Task, request: ChangeRequest): boolean {
  return (Object.keys(request) as (keyof ChangeRequest)[]).every((field) => {
    const value = request[field];
    return field === 'labels'
      ? (value as string[]).join('\u0000') === current.labels.join('\u0000')
      : value === current[field];
  });
}

/** The fields of a create or a replace (PUT): an omitted optional field takes its default. */
function replacement(body: CreateTaskBody): Omit<repository.TaskChanges, 'owner_id'> {
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

/** Internal signal: another request committed the same Idempotency-Key while ours ran. */
class ConcurrentIdempotentRequest extends Error {}
