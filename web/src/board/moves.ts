/**
 * The board's optimistic moves: a card shows in its new column at once; the
 * PATCH then either confirms it (the server's task replaces the guess) or
 * fails, and the board returns to exactly what it was, with a message.
 */
import type { Status, Task } from '../api/types.ts';

export type Columns = Record<Status, Task[]>;

export function columnsOf(tasks: readonly Task[]): Columns {
  const columns: Columns = { todo: [], in_progress: [], done: [] };
  for (const task of tasks) columns[task.status].push(task);
  return columns;
}

/** The tasks with one moved to `status` (placed first in its new column); unknown id: unchanged. */
export function moveTask(tasks: readonly Task[], id: string, status: Status): Task[] {
  const task = tasks.find((candidate) => candidate.id === id);
  if (!task || task.status === status) return [...tasks];
  return [{ ...task, status }, ...tasks.filter((candidate) => candidate.id !== id)];
}

/** The server's answer replaces the optimistic guess. */
export function confirmMove(tasks: readonly Task[], saved: Task): Task[] {
  return tasks.map((task) => (task.id === saved.id ? saved : task));
}

/** The message shown when a move is rolled back. */
export function rollbackMessage(title: string, status: number | undefined): string {
  if (status === 412) return `“${title}” was changed by someone else; it is back where it was. Try again.`;
  if (status === 404) return `“${title}” no longer exists.`;
  if (status === 403) return `You may not move “${title}”.`;
  return `“${title}” could not be moved; it is back where it was.`;
}
