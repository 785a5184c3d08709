/** Creating a task: one Idempotency-Key per intent, and every listing refreshed afterwards. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { type CreateIntent, intentFor } from '../api/idempotency.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { createTask } from '../api/tasks.ts';
import type { Task, TaskInput } from '../api/types.ts';

export function useCreateTask() {
  const queryClient = useQueryClient();
  const intent = useRef<CreateIntent | undefined>(undefined);
  return useMutation<Task, Error, Partial<TaskInput>>({
    mutationFn: (input) => {
      intent.current = intentFor(intent.current, JSON.stringify(input), () => crypto.randomUUID());
      return createTask(input, intent.current.key);
    },
    onSuccess: (task) => {
      intent.current = undefined;
      queryClient.setQueryData(queryKeys.tasks.detail(task.id), task);
      return queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all });
    },
  });
}
