/** One status column and its cards; a card others may not change is not draggable and has no move buttons. */
import { useDraggable, useDroppable } from '@dnd-kit/core';
import { CSS } from '@dnd-kit/utilities';
import { Link } from 'react-router';
import { STATUS_LABELS, STATUSES, type Status, type Task } from '../api/types.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { OwnerName } from '../components/People.tsx';
import { DueDate, LabelChips, PriorityBadge } from '../components/Planning.tsx';

interface CardProps {
  task: Task;
  movable: boolean;
  onMove(task: Task, to: Status): void;
}

function Card({ task, movable, onMove }: CardProps) {
  const auth = useAuth();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({
    id: task.id,
    disabled: !movable,
  });
  const index = STATUSES.indexOf(task.status);
  const previous = STATUSES[index - 1];
  const next = STATUSES[index + 1];
  return (
    <li
      ref={setNodeRef}
      className={`card board-card${isDragging ? ' dragging' : ''}`}
      style={{ transform: CSS.Translate.toString(transform) }}
      data-task-id={task.id}
    >
      {movable && (
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="drag-handle"
          {...attributes}
          {...listeners}
          aria-roledescription="draggable task"
          aria-label={`Move “${task.title}” (${STATUS_LABELS[task.status]}): Space, then arrow keys`}
        >
          <span aria-hidden="true">⠿</span>
        </button>
      )}
      <Link to={`/tasks/${task.id}`} className="card-title">
        {task.title}
      </Link>
      {(task.priority !== 'none' || task.due_at !== null || task.labels.length > 0) && (
        <span className="card-plan">
          {task.priority !== 'none' && <PriorityBadge priority={task.priority} />}
          <DueDate task={task} />
          <LabelChips labels={task.labels} />
        </span>
      )}
      {auth.can.seesEveryone && (
        <span className="owner">
          <OwnerName sub={task.owner_id} />
        </span>
      )}
      {movable && (
        <span className="card-moves">
          {previous && (
            <button type="button" className="button small" onClick={() => onMove(task, previous)}>
              <span aria-hidden="true">←</span> {STATUS_LABELS[previous]}
            </button>
          )}
          {next && (
            <button type="button" className="button small" onClick={() => onMove(task, next)}>
              {STATUS_LABELS[next]} <span aria-hidden="true">→</span>
            </button>
          )}
        </span>
      )}
    </li>
  );
}

interface ColumnProps {
  status: Status;
  tasks: Task[];
  canMove(task: Task): boolean;
  onMove(task: Task, to: Status): void;
}

export function BoardColumn({ status, tasks, canMove, onMove }: ColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const headingId = `column-${status}`;
  return (
    <section ref={setNodeRef} className={`column${isOver ? ' over' : ''}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {STATUS_LABELS[status]} <span className="count">{tasks.length}</span>
      </h2>
      <ul className="cards" data-status={status}>
        {tasks.map((task) => (
          <Card key={task.id} task={task} movable={canMove(task)} onMove={onMove} />
        ))}
      </ul>
    </section>
  );
}
