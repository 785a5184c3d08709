/**
 * The rules of tasks: who may do what to which task (asking the policy),
 * conditional writes, idempotent creation. Owns the transactions.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { canAssignOwner, canChange, canSee } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError, taskNotFound } from '../../errors/app-error.ts';
import type { Committed, Database, Queryable } from '../../infra/db/database.ts';
import { batchedCreates, type CreateTask } from './tasks.create-batch.ts';
import { isUuid } from './tasks.cursor.ts';
import type { EventContext } from './tasks.events.ts';
import type { ListingQuery } from './tasks.query.ts';
import type { Cached, CachedJson, TaskReads } from './tasks.reads.ts';
import * as repository from './tasks.repository.ts';
import { assertIfMatch, normalizeTitle } from './tasks.rules.ts';
import type { CreateTaskBody, PatchTaskBody, ReplaceTaskBody, Task } from './tasks.schemas.ts';

export interface CreateResult {
  task: Task;
  /** true when an Idempotency-Key replay returned the task created earlier */
  replayed: boolean;
}

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
  list(listing: ListingQuery): Promise<CachedJson> {
    return this.reads.page(listing);
  }

  async get(principal: Principal, id: string): Promise<Cached<Task>> {
    if (!isUuid(id)) throw taskNotFound();
    const { value: task, cache } = await this.reads.task(id.toLowerCase());
    if (!task || !canSee(principal, task)) throw taskNotFound();
    return { value: task, cache };
  }

  async create(
    principal: Principal,
    body: CreateTaskBody,
    context: { requestId: string; idempotencyKey?: string | undefined },
  ): Promise<CreateResult> {
    const { idempotencyKey } = context;
    // Naming yourself sets nothing the default would not: only another owner needs the admin role.
    if (body.owner_id !== undefined && body.owner_id !== principal.subject && !canAssignOwner(principal)) {
      throw ownerChangeForbidden();
    }
    const fields = {
      title: normalizeTitle(body.title),
      description: body.description ?? null,
      status: body.status ?? 'todo',
      owner_id: body.owner_id ?? principal.subject,
    } as const;
    // The notification goes to the owner; their address is known when they create the task themselves.
    const event = (): EventContext => ({
      eventId: uuidv7(),
      requestId: context.requestId,
      ownerEmail: fields.owner_id === principal.subject ? (principal.email ?? null) : null,
    });
    if (idempotencyKey === undefined) {
      // One statement, no transaction around it, shared with the creates of the same moment.
      const task = await this.recorded(
        this.createTask({ task: { id: uuidv7(), ...fields }, event: event() }),
      );
      return { task, replayed: false };
    }
    const requestHash = createHash('sha256')
      .update(JSON.stringify([fields.title, fields.description, fields.status, fields.owner_id]))
      .digest('base64url');
    const replay = (record: repository.IdempotencyRecord) => {
      if (record.request_hash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different body.');
      }
      return { task: record.response, replayed: true };
    };
    const createOnce = () =>
      this.write(async (client) => {
        const earlier = await repository.findIdempotencyRecord(client, principal.subject, idempotencyKey);
        if (earlier) return replay(earlier);
        const [task] = (await repository.insertTasksWithEvents(client, [
          { task: { id: uuidv7(), ...fields }, event: event() },
        ])) as [Task];
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

  replace(principal: Principal, id: string, body: ReplaceTaskBody, ifMatch?: string): Promise<Task> {
    return this.change(principal, id, ifMatch, (current) => ({
      title: normalizeTitle(body.title),
      description: body.description ?? null,
      status: body.status ?? 'todo',
      owner_id: body.owner_id ?? current.owner_id,
    }));
  }

  patch(principal: Principal, id: string, body: PatchTaskBody, ifMatch?: string): Promise<Task> {
    return this.change(principal, id, ifMatch, (current) => ({
      title: body.title === undefined ? current.title : normalizeTitle(body.title),
      description: body.description === undefined ? current.description : body.description,
      status: body.status ?? current.status,
      owner_id: body.owner_id ?? current.owner_id,
    }));
  }

  async delete(principal: Principal, id: string, ifMatch?: string): Promise<void> {
    await this.write(async (client) => {
      const current = await this.lockChangeable(client, principal, id);
      assertIfMatch(ifMatch, current);
      await repository.deleteTask(client, current.id);
    });
  }

  /** Reads the task under a row lock, checks visibility, rights and `If-Match`, then writes what changed. */
  private change(
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
    next: (current: Task) => repository.TaskChanges,
  ): Promise<Task> {
    return this.write(async (client) => {
      const current = await this.lockChangeable(client, principal, id);
      assertIfMatch(ifMatch, current);
      const changes = next(current);
      if (changes.owner_id !== current.owner_id && !canAssignOwner(principal)) throw ownerChangeForbidden();
      const unchanged =
        changes.title === current.title &&
        changes.description === current.description &&
        changes.status === current.status &&
        changes.owner_id === current.owner_id;
      // Nothing changes, so nothing is written: version and updated_at stay as they are.
      return unchanged ? current : repository.updateTask(client, current.id, changes);
    });
  }

  /** Every write: one transaction, then every cached listing and task is made stale. */
  private write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.recorded(this.db.transaction(work));
  }

  /** A committed write makes every cached listing and task stale. */
  private async recorded<T>(committed: Promise<Committed<T>>): Promise<T> {
    const { result, commitLsn } = await committed;
    await this.reads.recordWrite(commitLsn);
    return result;
  }

  private async lockChangeable(client: Queryable, principal: Principal, id: string): Promise<Task> {
    const task = isUuid(id)
      ? await repository.findTask(client, id.toLowerCase(), { forUpdate: true })
      : undefined;
    // A task the caller may not change is one they may not see, or one a viewer only reads.
    if (!task || !canSee(principal, task)) throw taskNotFound();
    if (!canChange(principal, task))
      throw new AppError('FORBIDDEN', 'Your roles do not allow changing this task.');
    return task;
  }
}

/** Internal signal: another request committed the same Idempotency-Key while ours ran. */
class ConcurrentIdempotentRequest extends Error {}
