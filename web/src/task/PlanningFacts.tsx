/** The task page's facts about its plan: due date, priority, labels, and when it was completed. */
import type { Task } from '../api/types.ts';
import { DueDate, LabelChips, PriorityBadge } from '../components/Planning.tsx';
import { formatDateTime } from '../lib/dates.ts';

export function PlanningFacts({ task }: { task: Task }) {
  return (
    <>
      <dt>Due</dt>
      <dd>{task.due_at === null ? 'No due date' : <DueDate task={task} />}</dd>
      <dt>Priority</dt>
      <dd>
        <PriorityBadge priority={task.priority} />
      </dd>
      <dt>Labels</dt>
      <dd>{task.labels.length === 0 ? 'None' : <LabelChips labels={task.labels} />}</dd>
      {task.completed_at !== null && (
        <>
          <dt>Completed</dt>
          <dd>
            <time dateTime={task.completed_at}>{formatDateTime(task.completed_at)}</time>
          </dd>
        </>
      )}
    </>
  );
}
