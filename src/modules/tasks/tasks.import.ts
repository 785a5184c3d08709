/**
 * POST /tasks/import: tasks as NDJSON, one per line, each checked by the
 * rules of POST /tasks. All or nothing: one bad line and no task is stored,
 * and the answer lists every bad line, so the corrected file can be sent
 * again without duplicating the good lines (which storing the good lines of
 * a rejected file would do). Each task stored is created as POST creates
 * it: its `task.created` event and history entry in the same statement,
 * the cache made stale once the import commits. Idempotent by its key.
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type { Principal } from '../../auth/principal.ts';
import { AppError, type FieldError, type LineErrors, MAX_FIELD_ERRORS } from '../../errors/app-error.ts';
import { fieldErrorsOf, type ValidationIssue } from '../../errors/error-handler.ts';
import { bodyValidator } from '../../http/validator-compiler.ts';
import type { Database } from '../../infra/db/database.ts';
import { claimKey, type KeyClaim } from './tasks.idempotency.ts';
import type { TaskReads } from './tasks.reads.ts';
import { insertTasksWithEvents, type NewTaskWithEvent } from './tasks.repository.ts';
import { CreateTaskBodySchema, idempotencyKeySchema, TaskSchema } from './tasks.schemas.ts';
import { newTaskWithEvent } from './tasks.write-fields.ts';

export const IMPORT_MEDIA_TYPE = 'application/x-ndjson';
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_TASKS = 10_000;
/** Tasks per INSERT: a few hundred kB of parameters, each statement well within the statement timeout. */
const INSERT_BATCH = 500;

const { id, created_at, updated_at, version, completed_at } = TaskSchema.properties;
/**
 * A line: the body of POST /tasks. The fields the server assigns may be
 * there too (a line of GET /tasks/export is a valid line) and are checked,
 * then ignored: an import creates new tasks, with new ids and timestamps.
 */
export const ImportLineSchema = Type.Object(
  {
    ...CreateTaskBodySchema.properties,
    id: Type.Optional(id),
    created_at: Type.Optional(created_at),
    updated_at: Type.Optional(updated_at),
    version: Type.Optional(version),
    completed_at: Type.Optional(completed_at),
  },
  { additionalProperties: false },
);
const validLine = bodyValidator(ImportLineSchema);

export const ImportHeadersSchema = Type.Object({
  'idempotency-key': idempotencyKeySchema(
    'Required: the same key and body return the first answer and store nothing; another body is 409.',
  ),
});

export const ImportResultSchema = Type.Object(
  {
    imported: Type.Integer({ format: 'int32', minimum: 1, maximum: IMPORT_MAX_TASKS }),
    tasks: Type.Array(
      Type.Object({
        // A line is one byte at least: its number is at most the body's size.
        line: Type.Integer({
          format: 'int32',
          minimum: 1,
          maximum: IMPORT_MAX_BYTES,
          description: 'Its line in the body, from 1',
        }),
        id: Type.String({ format: 'uuid', maxLength: 36 }),
      }),
      { maxItems: IMPORT_MAX_TASKS, description: 'The new tasks, in the order of their lines.' },
    ),
  },
  { $id: 'ImportResult' },
);
export interface ImportResult {
  imported: number;
  tasks: { line: number; id: string }[];
}

const tooLarge = (what: string) =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `An import takes at most ${IMPORT_MAX_TASKS.toLocaleString('en')} tasks and ` +
      `${IMPORT_MAX_BYTES / 1024 / 1024} MiB; this one has ${what}. Split the file.`,
  );

/** 413 before the body is read, when its declared length is already too much. */
export function assertImportLength(contentLength: string | undefined): void {
  if (contentLength !== undefined && Number(contentLength) > IMPORT_MAX_BYTES) {
    throw tooLarge(`${Number(contentLength).toLocaleString('en')} bytes`);
  }
}

/** What the rules say about one line: its errors, or the task it creates. */
function checkLine(text: string, principal: Principal, requestId: string): FieldError[] | NewTaskWithEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ pointer: '/', message: 'is not a JSON document' }];
  }
  if (!validLine(value)) return fieldErrorsOf((validLine.errors ?? []) as ValidationIssue[], 'body');
  const {
    id: _id,
    created_at: _c,
    updated_at: _u,
    version: _v,
    completed_at: _d,
    ...body
  } = value as Static<typeof ImportLineSchema>;
  try {
    return newTaskWithEvent(principal, body, { requestId });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.errors ?? [{ pointer: '/', message: error.detail }];
  }
}

/** The tasks of an NDJSON body (blank lines are skipped), or the 422 listing every bad line. */
export function parseImport(text: string, principal: Principal, requestId: string) {
  const items: { line: number; item: NewTaskWithEvent }[] = [];
  const broken: LineErrors[] = [];
  let count = 0;
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    count += 1;
    if (count > IMPORT_MAX_TASKS) throw tooLarge('more lines');
    const checked = checkLine(line, principal, requestId);
    if (Array.isArray(checked)) broken.push({ line: index + 1, errors: checked.slice(0, MAX_FIELD_ERRORS) });
    else items.push({ line: index + 1, item: checked });
  }
  if (count === 0) {
    throw new AppError('VALIDATION_FAILED', 'The body has no task: send one JSON object per line.', {
      errors: [{ pointer: '/', message: 'must hold at least one line' }],
    });
  }
  if (broken.length > 0) {
    const listed = broken.length > MAX_FIELD_ERRORS ? ` The first ${MAX_FIELD_ERRORS} are listed.` : '';
    throw new AppError(
      'VALIDATION_FAILED',
      `${broken.length} of ${count} lines break the rules of POST /tasks; no task was imported.${listed}`,
      { lines: broken.slice(0, MAX_FIELD_ERRORS) },
    );
  }
  return items;
}

export class TaskImports {
  constructor(
    private readonly db: Database,
    private readonly reads: TaskReads,
  ) {}

  /** Checks every line, then stores all of them in one transaction; a replay of the key stores nothing. */
  async import(
    principal: Principal,
    text: string,
    context: { requestId: string; importKey: string },
  ): Promise<{ result: ImportResult; replayed: boolean }> {
    const items = parseImport(text, principal, context.requestId);
    const fresh: ImportResult = {
      imported: items.length,
      tasks: items.map(({ line, item }) => ({ line, id: item.task.id })),
    };
    const claim: KeyClaim = {
      table: 'task_imports',
      callerId: principal.subject,
      key: context.importKey,
      requestHash: createHash('sha256').update(text).digest('base64url'),
    };
    const { result, commitLsn } = await this.db.transaction(async (client) => {
      const earlier = await claimKey(client, claim, fresh);
      if (earlier) return { result: earlier, replayed: true };
      for (let start = 0; start < items.length; start += INSERT_BATCH) {
        const batch = items.slice(start, start + INSERT_BATCH).map(({ item }) => item);
        await insertTasksWithEvents(client, batch);
      }
      return { result: fresh, replayed: false };
    });
    // As every write: the importer's next read shows the imported tasks.
    if (!result.replayed) await this.reads.recordWrite(commitLsn, principal.subject);
    return result;
  }
}
