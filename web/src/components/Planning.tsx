/**
 * How a task's plan reads wherever it is shown (list rows, board cards, the
 * task page): the due date, relative and marked when overdue; the priority
 * as an icon whose shape, not only its colour, tells the rank, with its
 * name; labels as chips. Each says in words what it shows to a screen reader.
 */
import { PRIORITY_LABELS, type Priority, type Task } from '../api/types.ts';
import { formatDue } from '../lib/dates.ts';
import { isOverdue } from '../lib/planning.ts';
import './planning.css';

/** Signal bars, as planners draw them: one to three filled for low to high; urgent is a square with "!". */
export function PriorityIcon({ priority }: { priority: Priority }) {
  if (priority === 'urgent') {
    return (
      <svg className="priority-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <rect x="1" y="1" width="14" height="14" rx="3" fill="currentColor" />
        <rect x="7" y="3.5" width="2" height="6" rx="1" fill="var(--surface)" />
        <rect x="7" y="11" width="2" height="2" rx="1" fill="var(--surface)" />
      </svg>
    );
  }
  const filled = { none: 0, low: 1, medium: 2, high: 3 }[priority];
  return (
    <svg className="priority-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {[0, 1, 2].map((bar) => (
        <rect
          key={bar}
          x={1.5 + bar * 5}
          y={priority === 'none' ? 7 : 10 - bar * 4}
          width="3"
          height={priority === 'none' ? 2 : 5 + bar * 4}
          rx="1"
          fill="currentColor"
          opacity={bar < filled ? 1 : 0.3}
        />
      ))}
    </svg>
  );
}

/** The icon and the priority's name; `compact` keeps the name for screen readers only. */
export function PriorityBadge({ priority, compact = false }: { priority: Priority; compact?: boolean }) {
  return (
    <span className={`priority priority-${priority}`}>
      <PriorityIcon priority={priority} />
      <span className={compact ? 'visually-hidden' : undefined}>
        {compact ? `Priority: ${PRIORITY_LABELS[priority]}` : PRIORITY_LABELS[priority]}
      </span>
    </span>
  );
}

/** The due date in words ("Today", "Dec 5"); an open task past it says "Overdue" and stands out. */
export function DueDate({ task, now }: { task: Pick<Task, 'due_at' | 'status'>; now?: Date }) {
  if (task.due_at === null) return null;
  const overdue = isOverdue(task, now?.getTime());
  return (
    <span className={overdue ? 'due overdue' : 'due'}>
      {overdue ? (
        <span className="overdue-tag">
          <span aria-hidden="true">!</span> Overdue
        </span>
      ) : (
        <span className="visually-hidden">Due</span>
      )}{' '}
      <time dateTime={task.due_at}>{formatDue(task.due_at, now)}</time>
    </span>
  );
}

/**
 * Labels as chips; with `max`, the first ones and how many more. A screen
 * reader hears them as one phrase ("Labels: bug, ui"): a row's link takes
 * its name from what it holds, and separate chips would run together.
 */
export function LabelChips({ labels, max }: { labels: readonly string[]; max?: number }) {
  if (labels.length === 0) return null;
  const shown = max === undefined ? labels : labels.slice(0, max);
  const more = labels.length - shown.length;
  return (
    <span className="label-chips">
      <span className="visually-hidden">Labels: {labels.join(', ')}</span>
      {shown.map((label) => (
        <span key={label} className="label-chip" aria-hidden="true">
          {label}
        </span>
      ))}
      {more > 0 && (
        <span className="label-chip more" aria-hidden="true">
          +{more}
        </span>
      )}
    </span>
  );
}
