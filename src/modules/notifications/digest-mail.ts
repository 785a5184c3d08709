/**
 * The daily digest a person reads in the morning: how many tasks are open,
 * which are overdue or due today, and the most pressing of them with a link
 * each, as plain text and as HTML (every value from a user escaped).
 * Which tasks and in what order is the digest job's (overdue first, then by
 * due date, then by priority); this file only says them.
 */
import escapeHtml from 'escape-html';
import { type TaskStatus, taskLink } from './task-mail.ts';

export interface DigestTask {
  id: string;
  title: string;
  status: TaskStatus;
  /** RFC 3339, or null. */
  due_at: string | null;
  priority: 'none' | 'low' | 'medium' | 'high' | 'urgent';
}

export interface DigestContent {
  /** The digest's day, YYYY-MM-DD (UTC). */
  day: string;
  /** When it was made: a task due before is overdue. */
  now: Date;
  name: string | null;
  openCount: number;
  overdueCount: number;
  dueTodayCount: number;
  /** The most pressing open tasks, in the order shown. */
  tasks: DigestTask[];
  publicUrl: string;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

const dayName = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });

/** "overdue since 1 Dec", "due today", "due 5 Dec", or nothing. */
function dueNote(task: DigestTask, { day, now }: Pick<DigestContent, 'day' | 'now'>): string {
  if (!task.due_at) return '';
  const due = new Date(task.due_at);
  const shown = due.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  if (due < now) return `overdue since ${shown}`;
  if (task.due_at.slice(0, 10) === day) return 'due today';
  return `due ${shown}`;
}

/** What is said after a task's title: "(overdue since 1 Dec, high priority)", or nothing. */
function notesOn(task: DigestTask, content: DigestContent): string {
  const notes = [dueNote(task, content), task.priority === 'none' ? '' : `${task.priority} priority`].filter(
    Boolean,
  );
  return notes.length > 0 ? ` (${notes.join(', ')})` : '';
}

export function renderDigestMail(content: DigestContent): { subject: string; text: string; html: string } {
  const { day, tasks } = content;
  const summary = [
    plural(content.openCount, 'open task', 'open tasks'),
    content.overdueCount > 0 ? `${content.overdueCount} overdue` : '',
    content.dueTodayCount > 0 ? `${content.dueTodayCount} due today` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const subject = `Your tasks for ${dayName(day)}: ${summary}`;
  const greeting = content.name ? `Good morning, ${content.name}.` : 'Good morning.';
  const more = content.openCount - tasks.length;
  const listLink = `${content.publicUrl.replace(/\/+$/, '')}/app/tasks`;
  const text = [
    greeting,
    '',
    `You have ${summary}.`,
    '',
    ...tasks.flatMap((task) => [
      `  - ${task.title}${notesOn(task, content)}`,
      `    ${taskLink(content.publicUrl, task.id)}`,
    ]),
    ...(more > 0 ? ['', `and ${plural(more, 'more task', 'more tasks')}: ${listLink}`] : []),
    '',
    '-- ',
    'Tasks: your daily digest of the tasks that are yours and not done.',
    '',
  ].join('\n');
  const items = tasks
    .map(
      (task) =>
        `<li><a href="${escapeHtml(taskLink(content.publicUrl, task.id))}">${escapeHtml(task.title)}</a>` +
        `<span style="color: #656d76">${escapeHtml(notesOn(task, content))}</span></li>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; color: #1f2328; line-height: 1.5">
<p>${escapeHtml(greeting)}</p>
<p>You have ${escapeHtml(summary)}.</p>
<ul>
${items}
</ul>
${more > 0 ? `<p><a href="${escapeHtml(listLink)}">And ${escapeHtml(plural(more, 'more task', 'more tasks'))}</a></p>` : ''}
<p style="color: #656d76; font-size: 0.9em">Tasks: your daily digest of the tasks that are yours and not done.</p>
</body>
</html>
`;
  return { subject, text, html };
}
