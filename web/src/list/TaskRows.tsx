/**
 * The listing, virtualized: only the rows on screen are in the DOM, and the
 * next cursor page is fetched as the end comes near, so scrolling 10,000
 * rows deep into a million tasks costs what scrolling the first screen does.
 * j/k (or the arrow keys) move the selection; Enter opens the task.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { messageOf } from '../api/problem.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { listTasks } from '../api/tasks.ts';
import type { TaskFilters } from '../api/types.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { useOwnerName } from '../components/People.tsx';
import { DueDate, LabelChips, PriorityBadge } from '../components/Planning.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate } from '../lib/dates.ts';

const ROW_HEIGHT = 56;
/** Fetch the next page when this few rows are left below the screen. */
const PREFETCH_ROWS = 40;
export const FIRST_ROW_MARK = 'first-row';

export function TaskRows({ filters }: { filters: TaskFilters }) {
  const auth = useAuth();
  const ownerName = useOwnerName();
  const scroller = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState(0);
  const query = useInfiniteQuery({
    queryKey: queryKeys.tasks.list(filters),
    queryFn: ({ pageParam, signal }) => listTasks(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const tasks = query.data?.pages.flatMap((page) => page.items) ?? [];
  const virtualizer = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const rows = virtualizer.getVirtualItems();
  const now = new Date();
  const lastRow = rows.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // When the first rows were on screen, for the benchmark and any real-user timing (Performance API).
  useEffect(() => {
    if (tasks.length > 0 && performance.getEntriesByName(FIRST_ROW_MARK).length === 0)
      performance.mark(FIRST_ROW_MARK);
  }, [tasks.length]);

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastRow >= tasks.length - PREFETCH_ROWS) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastRow, tasks.length]);

  if (query.isPending) return <p className="loading">Loading tasks…</p>;
  if (query.isError)
    return (
      <p className="banner error" role="alert">
        {messageOf(query.error)}
      </p>
    );
  if (tasks.length === 0) {
    return (
      <p className="empty">
        {auth.can.canWrite ? 'No tasks here. Add one above.' : 'No tasks match these filters.'}
      </p>
    );
  }

  const select = (index: number) => {
    const next = Math.max(0, Math.min(tasks.length - 1, index));
    setSelected(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => document.getElementById(`task-row-${next}`)?.focus());
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const moves: Record<string, number> = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
    const step = moves[event.key];
    if (step === undefined || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    select(selected + step);
  };

  return (
    <div className="task-scroller" ref={scroller} data-testid="task-scroller">
      <ul
        className="task-rows"
        aria-label={`Tasks, ${tasks.length}${hasNextPage ? '+' : ''} loaded`}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {rows.map((row) => {
          const task = tasks[row.index];
          if (!task) return null;
          return (
            <li
              key={task.id}
              className="task-row"
              aria-setsize={hasNextPage ? -1 : tasks.length}
              aria-posinset={row.index + 1}
              style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
            >
              <Link
                className="task-row-link"
                id={`task-row-${row.index}`}
                to={`/tasks/${task.id}`}
                tabIndex={row.index === selected ? 0 : -1}
                onFocus={() => setSelected(row.index)}
                onKeyDown={onKeyDown}
              >
                <span className="task-main">
                  <span className="task-title">{task.title}</span>
                  <LabelChips labels={task.labels} max={3} />
                </span>
                <span className="task-meta">
                  {task.priority !== 'none' && <PriorityBadge priority={task.priority} compact />}
                  <DueDate task={task} now={now} />
                  <StatusBadge status={task.status} />
                  {auth.can.seesEveryone && <span className="owner">{ownerName(task.owner_id)}</span>}
                  <time className="created" dateTime={task.created_at}>
                    {formatDate(task.created_at)}
                  </time>
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      {isFetchingNextPage && <p className="loading">Loading more…</p>}
    </div>
  );
}
