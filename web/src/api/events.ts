/**
 * What the API says about changes to tasks: the events of the live stream
 * (GET /tasks/stream) and the entries of a task's history
 * (GET /tasks/{id}/history), both carrying each changed field before and
 * after (docs/events.md). Field values are the database's JSON of the task
 * row: timestamps as `2026-01-01T10:00:00.123+00:00`, every other field as
 * the API writes it.
 */
import { request } from './http.ts';

export const TASK_EVENT_TYPES = ['task.created', 'task.updated', 'task.deleted'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export type TaskChanges = Record<string, FieldChange>;

export interface TaskEvent {
  event_id: string;
  type: TaskEventType;
  task_id: string;
  /** The task's version after the change; a deletion is its last version + 1. */
  task_version: number;
  /** The owner after the change (a deletion: the last). */
  owner_id: string;
  actor_id: string;
  occurred_at: string;
  changes: TaskChanges;
}

export interface HistoryEntry {
  version: number;
  type: TaskEventType;
  event_id: string;
  actor_id: string;
  owner_id: string;
  request_id: string;
  occurred_at: string;
  changes: TaskChanges;
}

export interface HistoryPage {
  items: HistoryEntry[];
  next_cursor: string | null;
}

export const HISTORY_PAGE_SIZE = 20;

export async function getTaskHistory(
  id: string,
  cursor?: string,
  signal?: AbortSignal,
): Promise<HistoryPage> {
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  const init: RequestInit = signal ? { signal } : {};
  return (await request<HistoryPage>(`/tasks/${encodeURIComponent(id)}/history?${query}`, init)).body;
}

export const STREAM_PATH = '/tasks/stream';

/**
 * An EventSource cannot send the Authorization header, so the stream
 * authenticates with an HttpOnly cookie the API sets from this request's
 * token, sent only to the stream's path and expiring with the token.
 */
export async function putStreamCookie(): Promise<void> {
  await request<undefined>(`${STREAM_PATH}/cookie`, { method: 'PUT' });
}

export async function deleteStreamCookie(): Promise<void> {
  await request<undefined>(`${STREAM_PATH}/cookie`, { method: 'DELETE' });
}
