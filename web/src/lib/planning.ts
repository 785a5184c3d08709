/**
 * The planning rules the app applies as the person types, so most mistakes
 * are caught before a request (the API checks them again and stays the
 * authority: docs/api.md, "Planning fields").
 */
import type { Task } from '../api/types.ts';

export const MAX_LABELS = 20;
export const MAX_LABEL_LENGTH = 50;

/** Equal regardless of case, as the server compares them. */
const sameLabel = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Typed text added to a task's labels. Commas separate labels (a label
 * cannot hold one), so pasting "bug, ui" adds two; a label already there in
 * any case is not added twice. What could not be added is said in `problem`.
 */
export function addLabels(labels: readonly string[], text: string): { labels: string[]; problem?: string } {
  const next = [...labels];
  const problems: string[] = [];
  for (const piece of text.split(',')) {
    const label = piece.trim();
    if (label === '') continue;
    if (label.length > MAX_LABEL_LENGTH) {
      problems.push(`A label has at most ${MAX_LABEL_LENGTH} characters; “${label}” has ${label.length}.`);
    } else if (next.some((existing) => sameLabel(existing, label))) {
      problems.push(`“${label}” is already there (labels are the same in any case).`);
    } else if (next.length >= MAX_LABELS) {
      problems.push(`A task has at most ${MAX_LABELS} labels; remove one to add “${label}”.`);
    } else {
      next.push(label);
    }
  }
  return problems.length > 0 ? { labels: next, problem: problems.join(' ') } : { labels: next };
}

/** Two label sets are the same whatever their order (the server returns them sorted). */
export function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = (labels: readonly string[]) => [...labels].sort();
  const [x, y] = [sorted(a), sorted(b)];
  return x.every((label, index) => label === y[index]);
}

/** Past its due time and not done: what the list marks, and what `overdue=true` asks the API for. */
export const isOverdue = (task: Pick<Task, 'due_at' | 'status'>, now = Date.now()) =>
  task.due_at !== null && task.status !== 'done' && Date.parse(task.due_at) < now;
