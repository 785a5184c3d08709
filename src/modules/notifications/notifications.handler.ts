/**
 * What happens to one `task.created` event, whichever queue delivered it
 * (RabbitMQ, or the embedded in-process queue): validated against its
 * contract; claimed in `processed_events` and e-mailed to its owner in one
 * transaction, so an event already processed sends nothing, and two
 * deliveries of one event handled at the same time cannot both send (the
 * second waits on the first's uncommitted claim, then finds it). A failed
 * send rolls the claim back. Only a crash between the send and the commit
 * can repeat an e-mail (at-least-once; its Message-ID lets mail clients
 * drop the copy). A failure says whether the event may be tried again: 3
 * attempts in all, with a growing delay between them.
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
  db: Pick<Database, 'transaction'>;
  mailer: Mailer;
  log: Logger;
}) {
  const { db, mailer, log } = deps;
  /** Sends the notification unless the event is already claimed; false when it was. */
  const claimAndSend = async (event: TaskCreatedEvent, eventLog: Logger) => {
    const { result: claimed } = await db.transaction(async (client) => {
      const claim = await client.query(
        'INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [event.event_id],
      );
      if (claim.rowCount !== 1) return false;
      if (event.owner_email) await mailer.send(notificationOf(event, event.owner_email));
      else eventLog.info('owner has no known address: no e-mail');
      return true;
    });
    return claimed;
  };

  return async function handle(event: unknown, attempt: number, requestId: unknown): Promise<HandlingResult> {
    if (!isTaskCreatedEvent(event)) {
      const reason = `not a task.created event: ${JSON.stringify(isTaskCreatedEvent.errors)}`;
      log.error({ reqId: requestId, reason }, 'event breaks its contract: dead-lettered');
      return { outcome: 'failed', reason, final: true };
    }
    const eventLog = log.child({ eventId: event.event_id, reqId: requestId, attempt });
    try {
      if (!(await claimAndSend(event, eventLog))) {
        eventLog.info('event already processed: nothing sent again');
        return { outcome: 'duplicate' };
      }
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
