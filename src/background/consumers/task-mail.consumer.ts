/**
 * E-mails a task's owner what they would want to know (task-mail.ts says
 * what): a task created for them, someone else assigning it to them or
 * changing its status. The address is the directory's (whoever created the
 * task: an admin, for bob), else the creator's own from the event. The title
 * and status come from the event, or from the task's row for a field the
 * update did not change. Runs inside the dispatcher's claim: a failed send
 * rolls the claim back for a retry; only a crash between the send and the
 * commit can repeat an e-mail (at-least-once; its Message-ID, from the
 * event, lets mail clients drop the copy).
 */
import type { Mailer } from '../../infra/mail/mailer.ts';
import {
  reasonForUpdate,
  renderTaskMail,
  type TaskMailReason,
  type TaskStatus,
  taskLink,
} from '../../modules/notifications/task-mail.ts';
import { type TaskEvent, TaskEventSchema } from '../../modules/tasks/tasks.events.ts';
import { addressOf, nameOf } from '../../modules/users/users.directory.ts';
import type { ConsumerContext, EventConsumer } from '../dispatcher.ts';

const reasonFor = (event: TaskEvent): TaskMailReason | null =>
  event.type === 'task.created'
    ? { kind: 'created' }
    : reasonForUpdate({ actorId: event.actor_id, ownerId: event.owner_id, changes: event.changes });

/** The task's title and status after the event: the event's, else the row's (null: the task is gone). */
async function titleAndStatus(event: TaskEvent, { client }: ConsumerContext) {
  const title = event.changes.title?.after as string | undefined;
  const status = event.changes.status?.after as TaskStatus | undefined;
  if (title !== undefined && status !== undefined) return { title, status };
  const { rows } = await client.query<{ title: string; status: TaskStatus }>(
    'SELECT title, status FROM tasks WHERE id = $1',
    [event.task_id],
  );
  const row = rows[0];
  return row ? { title: title ?? row.title, status: status ?? row.status } : null;
}

export function taskMailConsumer(deps: { mailer: Mailer; publicUrl: string }): EventConsumer<TaskEvent> {
  return {
    name: 'task-mail',
    types: ['task.created', 'task.updated'],
    schema: TaskEventSchema,
    accepts: (event) => reasonFor(event) !== null,
    async handle(event, context) {
      const { client, log } = context;
      const reason = reasonFor(event);
      if (!reason) return;
      const to = (await addressOf(client, event.owner_id)) ?? event.owner_email;
      if (!to) {
        log.info('owner has no known address: no e-mail');
        return;
      }
      const task = await titleAndStatus(event, context);
      if (!task) {
        log.info('task deleted since: no e-mail');
        return;
      }
      const mail = renderTaskMail({
        reason,
        ...task,
        actorName: await nameOf(client, event.actor_id),
        byOwner: event.actor_id === event.owner_id,
        link: taskLink(deps.publicUrl, event.task_id),
      });
      await deps.mailer.send({ messageId: `<${event.event_id}@tasks.events>`, to, ...mail });
      log.info({ reason: reason.kind }, 'notification sent');
    },
  };
}
