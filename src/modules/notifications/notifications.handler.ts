/**
 * What happens to one `task.created` event, whichever queue delivered it
 * (RabbitMQ, or the embedded in-process queue): validated against its
 * contract; skipped if already processed; otherwise an e-mail to the owner,
 * then recorded in `processed_events`. A failure says whether the event may
 * be tried again: 3 attempts in all, with a growing delay between them.
 */
import type { Logger } from 'pino';
import { createAjv } from '../../http/validator-compiler.ts';
import type { Database } from '../../infra/db/database.ts';
import type { Mailer } from '../../infra/mail/mailer.ts';
import { type TaskCreatedEvent, TaskCreatedEventSchema } from '../tasks/tasks.events.ts';

export const MAX_ATTEMPTS = 3;

/** Delay before attempt `attempt + 1`: the base, then 4 times as long. */
export const retryDelayMs = (baseMs: number, attempt: number) => baseMs * 4 ** (attempt - 1);

export type HandlingResult =
  | { outcome: 'processed' | 'duplicate' }
  /** `final`: no attempt left (or a message that can never succeed): dead-letter it. */
  | { outcome: 'failed'; reason: string; final: boolean };

const isTaskCreatedEvent = createAjv().compile<TaskCreatedEvent>(TaskCreatedEventSchema);

function notificationOf(event: TaskCreatedEvent, to: string) {
  return {
    messageId: `<${event.event_id}@tasks.events>`,
    to,
    subject: 'A new task is yours',
    text: `Task ${event.task_id} was created for you at ${event.occurred_at}.\n`,
  };
}

export function createNotificationHandler(deps: {
  db: Pick<Database, 'primary'>;
  mailer: Mailer;
  log: Logger;
}) {
  const { db, mailer, log } = deps;
  const alreadyProcessed = async (eventId: string) =>
    ((await db.primary.query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId])).rowCount ??
      0) > 0;

  return async function handle(event: unknown, attempt: number, requestId: unknown): Promise<HandlingResult> {
    if (!isTaskCreatedEvent(event)) {
      const reason = `not a task.created event: ${JSON.stringify(isTaskCreatedEvent.errors)}`;
      log.error({ reqId: requestId, reason }, 'event breaks its contract: dead-lettered');
      return { outcome: 'failed', reason, final: true };
    }
    const eventLog = log.child({ eventId: event.event_id, reqId: requestId, attempt });
    if (await alreadyProcessed(event.event_id)) {
      eventLog.info('event already processed: nothing sent again');
      return { outcome: 'duplicate' };
    }
    try {
      if (event.owner_email) await mailer.send(notificationOf(event, event.owner_email));
      else eventLog.info('owner has no known address: no e-mail');
      await db.primary.query('INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        event.event_id,
      ]);
      eventLog.info('notification sent');
      return { outcome: 'processed' };
    } catch (error) {
      const final = attempt >= MAX_ATTEMPTS;
      if (final) eventLog.error({ err: error }, 'notification failed 3 times: dead-lettered');
      else eventLog.warn({ err: error }, 'notification failed; will retry');
      return { outcome: 'failed', reason: (error as Error).message ?? String(error), final };
    }
  };
}

export type NotificationHandler = ReturnType<typeof createNotificationHandler>;
