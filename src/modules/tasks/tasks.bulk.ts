/**
 * POST /tasks/bulk: one change (status, priority, labels added or removed)
 * to up to 100 tasks, as a multi-selection in Linear or Todoist makes it.
 * All or nothing, in one transaction: each task is changed exactly as a
 * PATCH changes it (its rights, its version when given, its history entry
 * and outbox event, through the service's own write path), and one task the
 * caller may not change, or that changed since it was read, fails the whole
 * request with a problem naming it. Idempotent by an optional key.
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type { Principal } from '../../auth/principal.ts';
import { AppError, type FieldError, validationFailed } from '../../errors/app-error.ts';
import { claimKey, type KeyClaim, recordAnswer } from './tasks.idempotency.ts';
import type { TaskChanges } from './tasks.repository.ts';
import { normalizeLabels } from './tasks.rules.ts';
import {
  idempotencyKeySchema,
  LabelSchema,
  MAX_LABELS,
  type Task,
  TaskPrioritySchema,
  TaskStatusSchema,
} from './tasks.schemas.ts';
import type { TasksService } from './tasks.service.ts';

export const BULK_MAX_TASKS = 100;

const LabelListSchema = (description: string) =>
  Type.Array(LabelSchema, { minItems: 1, maxItems: MAX_LABELS, description });

export const BulkChangeBodySchema = Type.Object(
  {
    tasks: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid', maxLength: 36, description: 'The task to change.' }),
          version: Type.Optional(
            Type.Integer({
              format: 'int32',
              minimum: 1,
              maximum: 2_147_483_647,
              description:
                'The version you read (its ETag without the quotes), as `If-Match` of a PATCH: ' +
                'when the task is at another version, nothing is changed (412).',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: BULK_MAX_TASKS,
        description: `1–${BULK_MAX_TASKS} different tasks, each one the caller may change.`,
      },
    ),
    changes: Type.Object(
      {
        status: Type.Optional(TaskStatusSchema),
        priority: Type.Optional(TaskPrioritySchema),
        add_labels: Type.Optional(
          LabelListSchema(
            "Labels each task gets; one it has already (in any case) keeps the task's spelling.",
          ),
        ),
        remove_labels: Type.Optional(
          LabelListSchema('Labels each task loses, matched regardless of case; one it lacks is no error.'),
        ),
      },
      {
        additionalProperties: false,
        minProperties: 1,
        errorMessage: { minProperties: 'must name a change: status, priority, add_labels or remove_labels' },
        description: 'The one change made to every task; a task it leaves as it was is not written.',
      },
    ),
  },
  { additionalProperties: false },
);
export type BulkChangeBody = Static<typeof BulkChangeBodySchema>;

export const BulkChangeHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    idempotencyKeySchema(
      'Retry-safe: the same key and body answer the first result again and change nothing; another body is 409.',
    ),
  ),
});

export const BulkChangeResultSchema = Type.Object(
  {
    tasks: Type.Array(Type.Ref('Task'), {
      maxItems: BULK_MAX_TASKS,
      description: 'Every task as stored after the change, in the order of the request.',
    }),
  },
  { $id: 'BulkChangeResult' },
);
export interface BulkChangeResult {
  tasks: Task[];
}

interface BulkItem {
  index: number;
  id: string;
  version: number | undefined;
}

interface BulkChange {
  status: Task['status'] | undefined;
  priority: Task['priority'] | undefined;
  addLabels: string[];
  removeLabels: string[];
}

const lower = (label: string) => label.toLowerCase();

/** The request as the rules take it, or the 422 naming every broken part. */
export function normalizeBulk(body: BulkChangeBody): { items: BulkItem[]; change: BulkChange } {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const items = body.tasks.map(({ id, version }, index) => {
    const key = lower(id);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else
      errors.push({
        pointer: `/tasks/${index}/id`,
        message: `repeats /tasks/${first}/id: name each task once`,
      });
    return { index, id: key, version };
  });
  const labels = (field: 'add_labels' | 'remove_labels') => {
    try {
      return normalizeLabels(body.changes[field] ?? [], `/changes/${field}`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(...(error.errors ?? []));
      return [];
    }
  };
  const change = {
    status: body.changes.status,
    priority: body.changes.priority,
    addLabels: labels('add_labels'),
    removeLabels: labels('remove_labels'),
  };
  const adding = new Set(change.addLabels.map(lower));
  for (const [index, label] of (body.changes.remove_labels ?? []).entries()) {
    if (adding.has(lower(label.trim()))) {
      errors.push({
        pointer: `/changes/remove_labels/${index}`,
        message: 'is in add_labels too: add a label or remove it, not both',
      });
    }
  }
  if (errors.length > 0) throw validationFailed(errors);
  return { items, change };
}

/** A task's fields after the change; more labels than a task may have is the item's 422. */
function changed(current: Task, change: BulkChange): TaskChanges {
  const removed = new Set(change.removeLabels.map(lower));
  const kept = current.labels.filter((label) => !removed.has(lower(label)));
  const present = new Set(kept.map(lower));
  const labels = [...kept, ...change.addLabels.filter((label) => !present.has(lower(label)))];
  if (labels.length > MAX_LABELS) {
    throw validationFailed([
      { pointer: '', message: `would have ${labels.length} labels: a task has at most ${MAX_LABELS}` },
    ]);
  }
  return {
    title: current.title,
    description: current.description,
    status: change.status ?? current.status,
    owner_id: current.owner_id,
    due_at: current.due_at,
    priority: change.priority ?? current.priority,
    labels: normalizeLabels(labels),
  };
}

/** Where in the request body an item's refusal points, by its code. */
const POINTER_IN_ITEM: Record<string, string> = { PRECONDITION_FAILED: '/version', VALIDATION_FAILED: '' };

/** One task's refusal as the whole request's: the same code, naming the task and saying nothing changed. */
function aboutItem(error: unknown, item: BulkItem): unknown {
  if (!(error instanceof AppError)) return error;
  const name = `The task at /tasks/${item.index} (${item.id})`;
  const pointer = `/tasks/${item.index}${POINTER_IN_ITEM[error.code] ?? '/id'}`;
  if (error.code === 'PRECONDITION_FAILED') {
    const now = error.headers.etag?.replaceAll('"', '');
    return new AppError(
      error.code,
      `${name} is at version ${now}, not ${item.version}: it changed since you read it. Nothing was changed; read it again.`,
      { errors: [{ pointer, message: `is ${item.version}; the task is at version ${now}` }] },
    );
  }
  const message = error.errors?.[0]?.message ?? error.detail;
  const detail = error.code === 'VALIDATION_FAILED' ? `${name} ${message}.` : `${name}: ${error.detail}`;
  return new AppError(error.code, `${detail} Nothing was changed.`, { errors: [{ pointer, message }] });
}

export class TaskBulkChanges {
  constructor(private readonly service: TasksService) {}

  async change(
    principal: Principal,
    body: BulkChangeBody,
    context: { requestId: string; idempotencyKey?: string | undefined },
  ): Promise<{ result: BulkChangeResult; replayed: boolean }> {
    const { items, change } = normalizeBulk(body);
    const claim: KeyClaim | undefined =
      context.idempotencyKey === undefined
        ? undefined
        : {
            table: 'task_bulk_changes',
            callerId: principal.subject,
            key: context.idempotencyKey,
            requestHash: createHash('sha256')
              .update(JSON.stringify([items.map((item) => [item.id, item.version ?? null]), change]))
              .digest('base64url'),
          };
    return this.service.changeTogether(principal, async (client, changeOne) => {
      const earlier = claim && (await claimKey<BulkChangeResult>(client, claim));
      if (earlier) return { result: earlier, replayed: true };
      const tasks: Task[] = [];
      // In id order: bulk changes of overlapping tasks lock them in the same order, never in a deadlock.
      for (const item of [...items].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        const ifMatch = item.version === undefined ? undefined : `"${item.version}"`;
        tasks[item.index] = await changeOne(item.id, { requestId: context.requestId, ifMatch }, (current) =>
          changed(current, change),
        ).catch((error: unknown) => {
          throw aboutItem(error, item);
        });
      }
      const result = { tasks };
      if (claim) await recordAnswer(client, claim, result);
      return { result, replayed: false };
    });
  }
}
