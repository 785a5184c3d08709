/** The task resource and listing of the API contract (docs/api.md). New fields are added here first. */
export const STATUSES = ['todo', 'in_progress', 'done'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<Status, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};

/** How pressing a task is, lowest first (the API sorts by this rank). */
export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const PRIORITY_LABELS: Record<Priority, string> = {
  none: 'No priority',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export interface Task {
  id: string;
  title: string;
  description: string | null;
  status: Status;
  owner_id: string;
  /** RFC 3339 instant, or null: no due date. */
  due_at: string | null;
  priority: Priority;
  /** A set, sorted case-insensitively by the server. */
  labels: string[];
  /** Set by the server while the task is done. */
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface TaskPage {
  items: Task[];
  next_cursor: string | null;
}

/** The fields a person writes; the server assigns the rest. */
export type TaskInput = Pick<Task, 'title' | 'description' | 'status' | 'due_at' | 'priority' | 'labels'>;
export type TaskPatch = Partial<TaskInput>;

export const SORTS = [
  '-created_at',
  'created_at',
  '-updated_at',
  'updated_at',
  'due_at',
  '-due_at',
  '-priority',
  'priority',
] as const;
export type Sort = (typeof SORTS)[number];

/** The listing's filters, as the URL and GET /tasks carry them. */
export interface TaskFilters {
  status: Status[];
  owner_id?: string;
  created_after?: string;
  created_before?: string;
  q?: string;
  /** Any of these priorities. */
  priority?: Priority[];
  /** All of these labels. */
  label?: string[];
  overdue?: boolean;
  /** Exclusive bounds on due_at. */
  due_after?: string;
  due_before?: string;
  sort: Sort;
}
