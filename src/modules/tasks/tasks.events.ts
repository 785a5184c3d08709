/**
 * Events about tasks: versioned contracts (API.md, *Side effects*), recorded
 * in the outbox with the change they report and validated by consumers.
 */
import { type Static, Type } from 'typebox';

export const TaskCreatedEventSchema = Type.Object(
  {
    version: Type.Literal(1),
    event_id: Type.String({ format: 'uuid' }),
    type: Type.Literal('task.created'),
    task_id: Type.String({ format: 'uuid' }),
    owner_id: Type.String(),
    /** The `email` claim of the token that created the task: where the notification goes. */
    owner_email: Type.Union([Type.String(), Type.Null()]),
    occurred_at: Type.String({ format: 'date-time' }),
    /** The request that caused the event, to trace it through the workers' logs. */
    request_id: Type.String(),
  },
  { $id: 'TaskCreatedEvent', additionalProperties: false },
);
export type TaskCreatedEvent = Static<typeof TaskCreatedEventSchema>;

/** What the creating request knows; the rest comes from the inserted row. */
export interface EventContext {
  eventId: string;
  requestId: string;
  ownerEmail: string | null;
}
