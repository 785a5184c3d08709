/**
 * What one event of the live stream does to the tasks a view holds (the
 * board's columns, a listing's loaded pages), worked out without asking the
 * server whenever it can be known exactly: a change applied to the version
 * just before it, a created task built from its event, a deleted or
 * no-longer-matching one removed. Only when the view cannot know (it holds
 * an older version, so it missed a change; or a task it does not hold may
 * now belong in it) does it ask for a refetch of that one view.
 * Applying an event twice changes nothing: a task already at the event's
 * version (the person's own write, a reconnection's replay) is left alone.
 */
import type { TaskEvent } from '../api/events.ts';
import type { Sort, Task, TaskFilters } from '../api/types.ts';

/** A field's value as the API writes it: the events carry the database's JSON, `+00:00` timestamps. */
const apiValue = (field: string, value: unknown) =>
  field.endsWith('_at') && typeof value === 'string' ? new Date(value).toISOString() : value;

/** The task after the event; `current` when it is already at that version; `gap` when it missed one before. */
export function applyEvent(task: Task, event: TaskEvent): Task | null | 'current' | 'gap' {
  if (task.version >= event.task_version) return 'current';
  if (event.type === 'task.deleted') return null;
  if (task.version !== event.task_version - 1) return 'gap';
  const next: Record<string, unknown> = {
    ...task,
    version: event.task_version,
    updated_at: event.occurred_at,
  };
  for (const [field, change] of Object.entries(event.changes)) next[field] = apiValue(field, change.after);
  return next as unknown as Task;
}

/** The task a `task.created` event describes: every field is in its changes. */
export function taskOfCreation(event: TaskEvent): Task {
  const task: Record<string, unknown> = {
    id: event.task_id,
    version: event.task_version,
    created_at: event.occurred_at,
    updated_at: event.occurred_at,
  };
  for (const [field, change] of Object.entries(event.changes)) task[field] = apiValue(field, change.after);
  return task as unknown as Task;
}

export interface Viewer {
  sub: string;
  seesEveryone: boolean;
}

export interface View {
  /** Whether a task belongs in the view; undefined when only the server can tell (a text search). */
  matches(task: Task): boolean | undefined;
  sort: Sort;
  /** The event may have brought a task the view does not hold into it. */
  mayEnter(event: TaskEvent): boolean;
}

export type ViewUpdate = Task[][] | 'unchanged' | 'refetch';

const visibleTo = (viewer: Viewer, ownerId: string) => viewer.seesEveryone || ownerId === viewer.sub;

/** The board: the tasks the person sees, each column newest change first. */
export const boardView = (viewer: Viewer): View => ({
  matches: (task) => visibleTo(viewer, task.owner_id),
  sort: '-updated_at',
  // A visible task it does not hold was beyond a column's length; now it is the newest.
  mayEnter: (event) => visibleTo(viewer, event.owner_id),
});

/** The filters the list can check itself; any other filter leaves the answer to the server. */
const CHECKED = new Set(['status', 'owner_id', 'created_after', 'created_before', 'sort']);

/** A listing with these filters (GET /tasks: created bounds are exclusive). */
export function listView(filters: TaskFilters, viewer: Viewer): View {
  const unchecked = Object.entries(filters).some(([name, value]) => !CHECKED.has(name) && value);
  const time = (iso: string) => new Date(iso).getTime();
  return {
    sort: filters.sort,
    matches(task) {
      if (!visibleTo(viewer, task.owner_id)) return false;
      if (filters.status.length > 0 && !filters.status.includes(task.status)) return false;
      if (filters.owner_id && task.owner_id !== filters.owner_id) return false;
      if (filters.created_after && time(task.created_at) <= time(filters.created_after)) return false;
      if (filters.created_before && time(task.created_at) >= time(filters.created_before)) return false;
      return unchecked ? undefined : true;
    },
    mayEnter(event) {
      const changed = (field: string) => field in event.changes;
      if (!visibleTo(viewer, event.owner_id)) return false;
      return (
        unchecked ||
        changed('owner_id') ||
        (filters.status.length > 0 && changed('status')) ||
        filters.sort.endsWith('updated_at')
      );
    },
  };
}

const newestFirst = (sort: Sort) => sort.startsWith('-');

/** `pages`: what the view holds, page by page; `complete`: nothing lies beyond the last page. */
export function viewAfter(
  pages: readonly (readonly Task[])[],
  event: TaskEvent,
  view: View,
  complete: boolean,
): ViewUpdate {
  const pageIndex = pages.findIndex((page) => page.some((task) => task.id === event.task_id));
  if (pageIndex < 0) return entered(pages, event, view, complete);
  const page = pages[pageIndex] as readonly Task[];
  const index = page.findIndex((task) => task.id === event.task_id);
  const next = applyEvent(page[index] as Task, event);
  if (next === 'current') return 'unchanged';
  if (next === 'gap') return 'refetch';
  const result = pages.map((held) => [...held]);
  const kept = result[pageIndex] as Task[];
  if (next === null || view.matches(next) === false) {
    kept.splice(index, 1);
    return result;
  }
  if (!view.sort.endsWith('updated_at')) {
    kept[index] = next;
    return result;
  }
  // Sorted by the time of the last change: it moves to the newest end.
  kept.splice(index, 1);
  if (newestFirst(view.sort)) result[0]?.unshift(next);
  else if (complete) result.at(-1)?.push(next);
  return result;
}

function entered(
  pages: readonly (readonly Task[])[],
  event: TaskEvent,
  view: View,
  complete: boolean,
): ViewUpdate {
  if (event.type === 'task.deleted') return 'unchanged';
  if (event.type === 'task.updated') return view.mayEnter(event) ? 'refetch' : 'unchanged';
  const task = taskOfCreation(event);
  const matches = view.matches(task);
  if (matches === undefined) return 'refetch';
  if (!matches) return 'unchanged';
  // The newest task by both times: first when newest first, else last (if the last page is held).
  if (!newestFirst(view.sort) && !complete) return 'unchanged';
  const result = pages.length > 0 ? pages.map((held) => [...held]) : [[]];
  if (newestFirst(view.sort)) result[0]?.unshift(task);
  else result.at(-1)?.push(task);
  return result;
}
