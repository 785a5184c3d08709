/** The full create form; the draft survives failures, reloads and a new sign-in. */
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { fieldErrorsOf, messageOf } from '../api/problem.ts';
import type { TaskInput } from '../api/types.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { useCreateTask } from '../hooks/useCreateTask.ts';
import { useDraft } from '../hooks/useDraft.ts';
import { TaskFields } from './TaskFields.tsx';

const EMPTY: TaskInput = {
  title: '',
  description: null,
  status: 'todo',
  due_at: null,
  priority: 'none',
  labels: [],
};

export default function NewTaskView() {
  const auth = useAuth();
  const navigate = useNavigate();
  const [draft, setDraft, clearDraft] = useDraft<TaskInput>('new-task', EMPTY);
  const create = useCreateTask();
  if (!auth.can.canWrite) {
    return (
      <section className="page" aria-labelledby="new-heading">
        <h1 id="new-heading">New task</h1>
        <p>Your role ({auth.roles.join(', ')}) can read tasks but not create them.</p>
      </section>
    );
  }
  const errors = fieldErrorsOf(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate(draft, {
      onSuccess: (task) => {
        clearDraft();
        navigate(`/tasks/${task.id}`);
      },
    });
  };
  return (
    <section className="page narrow" aria-labelledby="new-heading">
      <h1 id="new-heading">New task</h1>
      <form onSubmit={submit} className="task-form" noValidate>
        <TaskFields
          value={draft}
          onChange={(change) => setDraft((previous) => ({ ...previous, ...change }))}
          errors={errors}
          idPrefix="new"
        />
        {create.error && Object.keys(errors).length === 0 && (
          <p className="banner error" role="alert">
            {messageOf(create.error)}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create task'}
          </button>
          <Link to="/" className="button ghost">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
