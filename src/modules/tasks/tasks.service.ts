/**
 * The rules of tasks: who may do what to which task (asking the policy),
 * conditional writes, idempotent creation. Owns the transactions.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { canAssignOwner, canChange, canSee } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError, taskNotFound } from '../../errors/app-error.ts';
import type { Committed, Database, Queryable } from '../../infra/db/database.ts';
import { type ChangeRequest, changeTask } from './tasks.change.ts';
import { batchedCreates, type CreateTask } from './tasks.create-batch.ts';
import { isUuid } from './tasks.cursor.ts';
import type { ListingQuery } from './tasks.query.ts';
import type { Cached, CachedJson, TaskReads } from './tasks.reads.ts';
import * as repository from './tasks.repository.ts';
import { assertIfMatch, normalizeDueAt, normalizeLabels, normalizeTitle } from './tasks.rules.ts';
import type { CreateTaskBody, PatchTaskBody, ReplaceTaskBody, Task } from './tasks.schemas.ts';
import {
  eventOf,
  fieldsOf,
  guardOf,
  NO_GUARD,
  newTaskWithEvent,
  ownerChangeForbidden,
  replacement,
  unchanged,
  type WriteContext,
} from './tasks.write-fields.ts';

export interface CreateResult {
  task: Task;
  /** true when an Idempotency-Key replay returned the task created earlier */
  replayed: boolean;
}

/** A task's writable fields after a change, from the task as it is. */
export type NextFields = (current: Task) => repository.TaskChanges;
/** Changes one task within a transaction of several (`changeTogether`). */
export type ChangeOne = (id: string, write: WriteContext, next: NextFields) => Promise<Task>;

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

/** Internal signal: another request committed the same Idempotency-Key while ours ran. */
class ConcurrentIdempotentRequest extends Error {}
