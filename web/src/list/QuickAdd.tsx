/** Type a title, press Enter: the task exists. The field keeps its text until the server has it. */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { fieldErrorsOf, messageOf } from '../api/problem.ts';
import { useCreateTask } from '../hooks/useCreateTask.ts';
import { useDraft } from '../hooks/useDraft.ts';

export function QuickAdd() {
  const [title, setTitle, clearTitle] = useDraft('quick-add', '');
  const [created, setCreated] = useState<string>();
  const create = useCreateTask();
  const fieldError = fieldErrorsOf(create.error).title;
  const error = create.error && !fieldError ? messageOf(create.error) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (create.isPending || title.trim() === '') return;
    create.mutate(
      { title },
      {
        onSuccess: (task) => {
          clearTitle();
          setCreated(task.title);
        },
      },
    );
  };

  return (
    <form className="quick-add" onSubmit={submit} aria-label="Quick add">
      <label htmlFor="quick-add" className="visually-hidden">
        New task title
      </label>
      <input
        id="quick-add"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        placeholder="Add a task… (press n)"
        autoComplete="off"
        aria-invalid={fieldError ? true : undefined}
        aria-describedby={fieldError || error ? 'quick-add-error' : undefined}
      />
      <button type="submit" className="button primary" disabled={create.isPending}>
        Add
      </button>
      <Link to="/tasks/new" className="button ghost">
        More fields…
      </Link>
      <p className="field-error" id="quick-add-error" role="alert">
        {fieldError ?? error}
      </p>
      <p className="visually-hidden" role="status">
        {created ? `Created “${created}”` : ''}
      </p>
    </form>
  );
}
