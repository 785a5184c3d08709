/** The task endpoints of the contract, typed. Views call these through TanStack Query. */
import { request } from './http.ts';
import type { Task, TaskFilters, TaskInput, TaskPage, TaskPatch } from './types.ts';

export const PAGE_SIZE = 100;

/** The query string of a listing: only what is set, in the contract's names. */
export function listingQuery(filters: TaskFilters, cursor?: string, limit = PAGE_SIZE): URLSearchParams {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  if (filters.status.length > 0) query.set('status', filters.status.join(','));
  if (filters.owner_id) query.set('owner_id', filters.owner_id);
  if (filters.created_after) query.set('created_after', filters.created_after);
  if (filters.created_before) query.set('created_before', filters.created_before);
  if (filters.q) query.set('q', filters.q);
  if (filters.priority?.length) query.set('priority', filters.priority.join(','));
  if (filters.label?.length) query.set('label', filters.label.join(','));
  if (filters.overdue) query.set('overdue', 'true');
  if (filters.due_after) query.set('due_after', filters.due_after);
  if (filters.due_before) query.set('due_before', filters.due_before);
  query.set('sort', filters.sort);
  return query;
}

export async function listTasks(filters: TaskFilters, cursor?: string, signal?: AbortSignal) {
  const init: RequestInit = signal ? { signal } : {};
  return (await request<TaskPage>(`/tasks?${listingQuery(filters, cursor)}`, init)).body;
}

export async function getTask(id: string, signal?: AbortSignal): Promise<Task> {
  const init: RequestInit = signal ? { signal } : {};
  return (await request<Task>(`/tasks/${encodeURIComponent(id)}`, init)).body;
}

/** The ETag of a task: its version (docs/api.md). */
export const etagOf = (task: Pick<Task, 'version'>) => `"${task.version}"`;

/** One create intent, one key: a retried or double-sent create makes one task. */
export async function createTask(input: Partial<TaskInput>, idempotencyKey: string): Promise<Task> {
  const response = await request<Task>('/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(input),
  });
  return response.body;
}

/** A merge patch that applies only to the version the person saw (412 otherwise). */
export async function patchTask(task: Pick<Task, 'id' | 'version'>, patch: TaskPatch): Promise<Task> {
  const response = await request<Task>(`/tasks/${encodeURIComponent(task.id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json', 'if-match': etagOf(task) },
    body: JSON.stringify(patch),
  });
  return response.body;
}

export async function deleteTask(id: string): Promise<void> {
  await request<undefined>(`/tasks/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
