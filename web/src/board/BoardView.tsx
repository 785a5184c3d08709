/**
 * The board: a column per status. Dragging a card (mouse, touch, or the
 * keyboard: Space, arrows, Space) or its move buttons sends a PATCH with
 * If-Match; the card moves at once and goes back, with a message, if the
 * server refuses (412 or any error).
 */
import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, messageOf } from '../api/problem.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { listTasks, patchTask } from '../api/tasks.ts';
import { STATUS_LABELS, STATUSES, type Status, type Task } from '../api/types.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { BoardColumn } from './BoardColumn.tsx';
import { columnsOf, confirmMove, moveTask, rollbackMessage } from './moves.ts';

/** Cards per column: the newest; the list view pages through the rest. */
const COLUMN_LIMIT = 100;

async function boardTasks(signal: AbortSignal): Promise<Task[]> {
  const pages = await Promise.all(
    STATUSES.map((status) => listTasks({ status: [status], sort: '-updated_at' }, undefined, signal)),
  );
  return pages.flatMap((page) => page.items.slice(0, COLUMN_LIMIT));
}

interface Move {
  task: Task;
  to: Status;
}

export default function BoardView() {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const key = queryKeys.tasks.board(undefined);
  const [message, setMessage] = useState<string>();
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => boardTasks(signal) });
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const move = useMutation<Task, Error, Move, { previous: Task[] | undefined }>({
    mutationFn: ({ task, to }) => patchTask(task, { status: to }),
    onMutate: async ({ task, to }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<Task[]>(key);
      queryClient.setQueryData<Task[]>(key, (tasks) => moveTask(tasks ?? [], task.id, to));
      setMessage(`Moved “${task.title}” to ${STATUS_LABELS[to]}.`);
      return { previous };
    },
    onSuccess: (saved) => {
      queryClient.setQueryData<Task[]>(key, (tasks) => confirmMove(tasks ?? [], saved));
      queryClient.setQueryData(queryKeys.tasks.detail(saved.id), saved);
    },
    onError: (error, { task }, context) => {
      queryClient.setQueryData(key, context?.previous);
      setMessage(rollbackMessage(task.title, error instanceof ApiError ? error.status : undefined));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all }),
  });
  const tasks = query.data ?? [];
  const requestMove = (task: Task, to: Status) => {
    if (task.status !== to) move.mutate({ task, to });
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const task = tasks.find((candidate) => candidate.id === active.id);
    if (task && over) requestMove(task, over.id as Status);
  };

  if (query.isPending) return <p className="loading">Loading board…</p>;
  if (query.isError)
    return (
      <p className="banner error" role="alert">
        {messageOf(query.error)}
      </p>
    );
  const columns = columnsOf(tasks);
  return (
    <section className="page board-page" aria-labelledby="board-title">
      <h1 id="board-title">Board</h1>
      <p className={`board-message ${move.isError ? 'banner error' : ''}`} role="status" aria-live="polite">
        {message}
      </p>
      <DndContext sensors={sensors} onDragEnd={onDragEnd}>
        <div className="board">
          {STATUSES.map((status) => (
            <BoardColumn
              key={status}
              status={status}
              tasks={columns[status]}
              canMove={(task) =>
                auth.can.canWrite && (auth.roles.includes('admin') || task.owner_id === auth.sub)
              }
              onMove={requestMove}
            />
          ))}
        </div>
      </DndContext>
    </section>
  );
}
