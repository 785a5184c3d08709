/**
 * One task: read by everyone who may see it, edited by those who may
 * write it. A save applies only to the version the edit started from; a
 * 412 opens the conflict dialog. Delete asks first.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, fieldErrorsOf, messageOf } from '../api/problem.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { deleteTask, getTask, patchTask } from '../api/tasks.ts';
import type { Task, TaskInput } from '../api/types.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { OwnerName } from '../components/People.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useDraft } from '../hooks/useDraft.ts';
import { formatDateTime } from '../lib/dates.ts';
import { ConflictDialog } from './ConflictDialog.tsx';
import { changesOf, conflictsOf, type FieldConflict, inputOf, rebasedEdit } from './conflict.ts';
import { DeleteButton } from './DeleteDialog.tsx';
import { PlanningFacts } from './PlanningFacts.tsx';
import { TaskFields } from './TaskFields.tsx';
import { TaskHistory } from './TaskHistory.tsx';

/** An edit in progress: what the person typed, and the version it started from. */
interface Edit {
  base: Task;
  mine: TaskInput;
}

function TaskFacts({ task }: { task: Task }) {
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={task.status} />
      </dd>
      <dt>Owner</dt>
      <dd>
        <OwnerName sub={task.owner_id} />
      </dd>
      <PlanningFacts task={task} />
      <dt>Created</dt>
      <dd>
        <time dateTime={task.created_at}>{formatDateTime(task.created_at)}</time>
      </dd>
      <dt>Updated</dt>
      <dd>
        <time dateTime={task.updated_at}>{formatDateTime(task.updated_at)}</time>
      </dd>
    </dl>
  );
}

function TaskEditor({ task }: { task: Task }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [edit, setEdit, clearEdit] = useDraft<Edit | null>(`task-${task.id}`, null);
  const [conflicts, setConflicts] = useState<{ list: FieldConflict[]; theirs: Task }>();
  const current = edit ?? { base: task, mine: inputOf(task) };
  const saved = (next: Task) => {
    queryClient.setQueryData(queryKeys.tasks.detail(next.id), next);
    void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all });
    clearEdit();
  };
  const save = useMutation<Task, Error, Edit>({
    mutationFn: ({ base, mine }) => patchTask(base, changesOf(inputOf(base), mine)),
    onSuccess: saved,
    onError: async (error, { base, mine }) => {
      if (!(error instanceof ApiError && error.status === 412)) return;
      const theirs = await getTask(task.id);
      setConflicts({ list: conflictsOf(inputOf(base), mine, theirs), theirs });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteTask(task.id),
    onSuccess: () => {
      clearEdit();
      queryClient.removeQueries({ queryKey: queryKeys.tasks.detail(task.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all });
      navigate('/', { state: { message: `Deleted “${task.title}”.` } });
    },
  });
  const changed = Object.keys(changesOf(inputOf(current.base), current.mine)).length > 0;
  const errors = fieldErrorsOf(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (changed && !save.isPending) save.mutate(current);
  };
  const keepMine = () => {
    if (!conflicts) return;
    const rebased = rebasedEdit(inputOf(current.base), current.mine, conflicts.theirs);
    setConflicts(undefined);
    setEdit(rebased);
    save.mutate(rebased);
  };
  const takeTheirs = () => {
    if (!conflicts) return;
    queryClient.setQueryData(queryKeys.tasks.detail(task.id), conflicts.theirs);
    setConflicts(undefined);
    save.reset();
    clearEdit();
  };
  const otherError =
    save.error && !(save.error instanceof ApiError && [412, 422].includes(save.error.status));
  return (
    <form onSubmit={submit} className="task-form" noValidate aria-label="Edit task">
      <TaskFields
        value={current.mine}
        onChange={(change) =>
          setEdit((previous) => {
            const edit = previous ?? { base: task, mine: inputOf(task) };
            return { base: edit.base, mine: { ...edit.mine, ...change } };
          })
        }
        errors={errors}
        idPrefix="edit"
      />
      {(otherError || remove.error) && (
        <p className="banner error" role="alert">
          {messageOf(save.error ?? remove.error)}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={!changed || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        {changed && (
          <button type="button" className="button ghost" onClick={clearEdit}>
            Discard changes
          </button>
        )}
        <span className="spacer" />
        <DeleteButton title={task.title} pending={remove.isPending} onDelete={() => remove.mutate()} />
      </div>
      <ConflictDialog conflicts={conflicts?.list} onKeepMine={keepMine} onTakeTheirs={takeTheirs} />
    </form>
  );
}

export default function TaskView() {
  const { id = '' } = useParams();
  const auth = useAuth();
  const query = useQuery({
    queryKey: queryKeys.tasks.detail(id),
    queryFn: ({ signal }) => getTask(id, signal),
  });
  if (query.isPending) return <p className="loading">Loading task…</p>;
  if (query.isError) {
    return (
      <section className="page" aria-labelledby="task-title">
        <h1 id="task-title">Task unavailable</h1>
        <p role="alert">{messageOf(query.error)}</p>
        <Link to="/">Back to your tasks</Link>
      </section>
    );
  }
  const task = query.data;
  const mayWrite = auth.can.canWrite && (auth.roles.includes('admin') || task.owner_id === auth.sub);
  return (
    <section className="page narrow task-page" aria-labelledby="task-title">
      <p>
        <Link to="/">← All tasks</Link>
      </p>
      <h1 id="task-title">{task.title}</h1>
      <TaskFacts task={task} />
      {mayWrite ? (
        <TaskEditor task={task} />
      ) : (
        <div className="description pre">{task.description ?? 'No description.'}</div>
      )}
      <TaskHistory taskId={task.id} />
    </section>
  );
}
