/** A task's history as the API shows it (GET /tasks/{id}/history). */
import { type Static, Type } from 'typebox';
import { ID_TEXT, TaskChangesSchema, TaskEventTypes } from '../tasks/tasks.events.ts';

const Sha256Hex = Type.String({
  pattern: '^[0-9a-f]{64}$',
  maxLength: 64,
  examples: ['3b5d5c3712955042212316173ccf37be800e3e2e8a3f2b1c9d4e5f60718293a4'],
});

export const TaskHistoryEntrySchema = Type.Object(
  {
    version: Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'The task version after the change; a deletion is its last version + 1.',
    }),
    type: Type.Enum(TaskEventTypes),
    event_id: Type.String({ format: 'uuid', maxLength: 36 }),
    actor_id: Type.String({
      maxLength: 255,
      pattern: ID_TEXT,
      examples: ['a1a1a1a1-0000-4000-8000-000000000001'],
      description: 'The `sub` of the caller who made the change.',
    }),
    owner_id: Type.String({
      maxLength: 255,
      pattern: ID_TEXT,
      examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
      description: 'The owner after the change.',
    }),
    request_id: Type.String({
      maxLength: 200,
      pattern: ID_TEXT,
      examples: ['c0c5883f-2ec5-4024-b188-472a07e21406'],
    }),
    occurred_at: Type.String({ format: 'date-time', maxLength: 40 }),
    changes: TaskChangesSchema,
    prev_hash: Type.Union([Sha256Hex, Type.Null()], {
      description: 'SHA-256 of the previous entry (null for the first): the chain `history:verify` checks.',
    }),
    hash: Sha256Hex,
  },
  { $id: 'TaskHistoryEntry', additionalProperties: false },
);
export type TaskHistoryEntry = Static<typeof TaskHistoryEntrySchema>;

export const TaskHistoryPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('TaskHistoryEntry'), { maxItems: 100 }),
    next_cursor: Type.Union([Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' }), Type.Null()], {
      examples: ['MTc'],
      description: 'null on the last page',
    }),
  },
  { $id: 'TaskHistoryPage' },
);
export type TaskHistoryPage = { items: TaskHistoryEntry[]; next_cursor: string | null };

export const HistoryQuerySchema = Type.Object(
  {
    // Optional for the client; Ajv fills in the default, so the handler always has a value.
    limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: '`next_cursor` of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
/** The query after validation: Ajv has filled in the default limit. */
export type HistoryQuery = Required<Pick<Static<typeof HistoryQuerySchema>, 'limit'>> &
  Static<typeof HistoryQuerySchema>;
