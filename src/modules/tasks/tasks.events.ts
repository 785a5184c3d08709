/**
 * Events about tasks: versioned contracts (docs/events.md), recorded in the
 * outbox and in the task's history by the statement that makes the change,
 * validated by consumers. One shape for the three types; `changes` holds
 * each changed field before and after (a created task: every field, before
 * null; a deleted one: every field, after null).
 */
import { type Static, Type } from 'typebox';

export const TaskEventTypes = ['task.created', 'task.updated', 'task.deleted'] as const;
export type TaskEventType = (typeof TaskEventTypes)[number];

export const FieldChangeSchema = Type.Object(
  { before: Type.Unknown(), after: Type.Unknown() },
  { additionalProperties: false, description: 'A field before and after the change (null: absent).' },
);

export const TaskChangesSchema = Type.Record(
  Type.String({ maxLength: 64, pattern: '^[a-z_]+$' }),
  FieldChangeSchema,
  {
    description: 'Each field that changed, by name.',
  },
);

/** An identifier as text: printable, no control characters. */
export const ID_TEXT = '^[^\\u0000-\\u001F]+$';

const eventFields = {
  /** The schema version of the event (1 had only `task.created`, without actor and changes). */
  version: Type.Literal(2),
  event_id: Type.String({ format: 'uuid', maxLength: 36 }),
  type: Type.Enum(TaskEventTypes),
  task_id: Type.String({ format: 'uuid', maxLength: 36 }),
  task_version: Type.Integer({
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'The task version after the change; a deletion is its last version + 1.',
  }),
  owner_id: Type.String({
    maxLength: 255,
    pattern: ID_TEXT,
    examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
    description: 'The owner after the change (a deletion: the last).',
  }),
  actor_id: Type.String({
    maxLength: 255,
    pattern: ID_TEXT,
    examples: ['a1a1a1a1-0000-4000-8000-000000000001'],
    description: 'The `sub` of the caller who made the change.',
  }),
  /** The `email` claim of the creator when they own the task: where a notification may go. */
  owner_email: Type.Union([Type.String({ maxLength: 320, pattern: ID_TEXT }), Type.Null()], {
    examples: ['bob@example.test'],
  }),
  occurred_at: Type.String({ format: 'date-time', maxLength: 40 }),
  /** The request that caused the event, to trace it through the workers' logs. */
  request_id: Type.String({
    maxLength: 200,
    pattern: ID_TEXT,
    examples: ['c0c5883f-2ec5-4024-b188-472a07e21406'],
  }),
  changes: TaskChangesSchema,
};

export const TaskEventSchema = Type.Object(eventFields, {
  $id: 'TaskEvent',
  additionalProperties: false,
  description: 'A change to a task, as the outbox, the queue and the live stream carry it.',
});
export type TaskEvent = Static<typeof TaskEventSchema>;

/** What the writing request knows; the rest comes from the written row. */
export interface EventContext {
  eventId: string;
  requestId: string;
  actorId: string;
  ownerEmail: string | null;
}
