/**
 * An event of the live stream applied to the TanStack Query cache: the
 * board and every loaded listing updated in place (taskCache.ts decides
 * how), or refetched, that one view only, when only the server can tell;
 * the task's own page and history refetched when they are held at an
 * older version.
 */
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import type { TaskEvent } from '../api/events.ts';
import { queryKeys } from '../api/queryKeys.ts';
import type { Task, TaskFilters, TaskPage } from '../api/types.ts';
import { boardView, listView, type Viewer, viewAfter } from './taskCache.ts';

const refetch = (queryClient: QueryClient, queryKey: QueryKey) =>
  void queryClient.invalidateQueries({ queryKey, exact: true });

export function applyToCaches(queryClient: QueryClient, event: TaskEvent, viewer: Viewer): void {
  for (const [key, tasks] of queryClient.getQueriesData<Task[]>({ queryKey: queryKeys.tasks.boards() })) {
    if (!tasks) continue;
    const update = viewAfter([tasks], event, boardView(viewer), false);
    if (update === 'refetch') refetch(queryClient, key);
    else if (update !== 'unchanged') queryClient.setQueryData(key, update[0]);
  }
  const lists = queryClient.getQueriesData<InfiniteData<TaskPage>>({ queryKey: queryKeys.tasks.lists() });
  for (const [key, data] of lists) {
    if (!data || data.pages.length === 0) continue;
    const filters = key[2] as TaskFilters;
    const complete = data.pages.at(-1)?.next_cursor === null;
    const pages = data.pages.map((page) => page.items);
    const update = viewAfter(pages, event, listView(filters, viewer), complete);
    if (update === 'refetch') refetch(queryClient, key);
    else if (update !== 'unchanged')
      queryClient.setQueryData(key, {
        ...data,
        pages: data.pages.map((page, index) => ({ ...page, items: update[index] ?? [] })),
      });
  }
  const detail = queryClient.getQueryData<Task>(queryKeys.tasks.detail(event.task_id));
  if (detail && detail.version < event.task_version)
    refetch(queryClient, queryKeys.tasks.detail(event.task_id));
  refetch(queryClient, queryKeys.tasks.history(event.task_id));
}
