/**
 * Every TanStack Query key of the app, in one place: a write invalidates
 * `tasks.all` and every listing and task view refetches; an event of the
 * live stream updates the views holding its task (live/liveCaches.ts).
 */
import type { TaskFilters } from './types.ts';

export const queryKeys = {
  tasks: {
    all: ['tasks'] as const,
    lists: () => [...queryKeys.tasks.all, 'list'] as const,
    list: (filters: TaskFilters) => [...queryKeys.tasks.lists(), filters] as const,
    boards: () => [...queryKeys.tasks.all, 'board'] as const,
    board: (ownerId: string | undefined) => [...queryKeys.tasks.boards(), ownerId ?? null] as const,
    detail: (id: string) => [...queryKeys.tasks.all, 'detail', id] as const,
    /** Under `tasks`: every write refreshes the labels' counts too. */
    labels: () => [...queryKeys.tasks.all, 'labels'] as const,
    history: (id: string) => [...queryKeys.tasks.all, 'history', id] as const,
  },
  users: ['users'] as const,
};
