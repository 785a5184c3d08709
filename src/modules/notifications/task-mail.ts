/**
 * The e-mails a task's owner reads: what happened, by whom, the task's title
 * and status, and a link to it in the web app; as plain text and as HTML
 * (every value from a user escaped: a title is text, never markup). Which
 * changes are worth an e-mail is decided here too: a task created for its
 * owner, and someone else assigning it to them or changing its status; never
 * the owner's own edits.
 */
import escapeHtml from 'escape-html';

export type TaskStatus = 'todo' | 'in_progress' | 'done';

/** As the web app names them (web/src/api/types.ts). */
const STATUS_LABELS: Record<TaskStatus, string> = { todo: 'To do', in_progress: 'In progress', done: 'Done' };

/** Why the owner is told. */
export type TaskMailReason =
  | { kind: 'created' }
  | { kind: 'assigned' }
  | { kind: 'status'; before: TaskStatus };

export interface TaskMailContent {
  reason: TaskMailReason;
  title: string;
  status: TaskStatus;
  /** Who made the change, as the directory names them (null: unknown). */
  actorName: string | null;
  /** The owner made the change themselves (a task they created). */
  byOwner: boolean;
  /** The task's page in the web app. */
  link: string;
}

/** The reason an update is worth an e-mail to the owner, or null. */
export function reasonForUpdate(update: {
  actorId: string;
  ownerId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
}): TaskMailReason | null {
  if (update.actorId === update.ownerId) return null;
  if (update.changes.owner_id?.after === update.ownerId) return { kind: 'assigned' };
  const status = update.changes.status;
  if (status) return { kind: 'status', before: status.before as TaskStatus };
  return null;
}

/** The web app's page of a task under the public base URL. */
export const taskLink = (publicUrl: string, taskId: string) =>
  `${publicUrl.replace(/\/+$/, '')}/app/tasks/${encodeURIComponent(taskId)}`;

function headline({ reason, actorName, byOwner, status }: TaskMailContent): {
  subject: string;
  lead: string;
} {
  const who = actorName ?? 'Someone';
  if (reason.kind === 'created')
    return {
      subject: 'A new task is yours',
      lead: byOwner ? 'You created a task.' : `${who} created a task for you.`,
    };
  if (reason.kind === 'assigned')
    return { subject: `${who} assigned you a task`, lead: `${who} assigned a task to you.` };
  return {
    subject: `Your task is now ${STATUS_LABELS[status]}`,
    lead: `${who} moved your task from ${STATUS_LABELS[reason.before]} to ${STATUS_LABELS[status]}.`,
  };
}

export function renderTaskMail(content: TaskMailContent): { subject: string; text: string; html: string } {
  const { subject, lead } = headline(content);
  const status = STATUS_LABELS[content.status];
  const text = [
    lead,
    '',
    `  Title:  ${content.title}`,
    `  Status: ${status}`,
    '',
    `Open it: ${content.link}`,
    '',
    '-- ',
    'Tasks: you get this e-mail because the task is yours.',
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; color: #1f2328; line-height: 1.5">
<p>${escapeHtml(lead)}</p>
<table role="presentation" style="border-collapse: collapse">
<tr><th style="text-align: left; padding-right: 1em">Title</th><td>${escapeHtml(content.title)}</td></tr>
<tr><th style="text-align: left; padding-right: 1em">Status</th><td>${escapeHtml(status)}</td></tr>
</table>
<p><a href="${escapeHtml(content.link)}">Open the task</a></p>
<p style="color: #656d76; font-size: 0.9em">Tasks: you get this e-mail because the task is yours.</p>
</body>
</html>
`;
  return { subject: `${subject}: ${content.title}`, text, html };
}
