/**
 * The writable fields of a task, shared by the create form and the task
 * view: each shows the 422 message the server gave for it (by its pointer).
 */
import { STATUS_LABELS, STATUSES, type Status, type TaskInput } from '../api/types.ts';
import { FieldError } from '../components/FieldError.tsx';
import { LabelsInput } from '../components/LabelsInput.tsx';
import { DueDateField } from './DueDateField.tsx';
import { PriorityField } from './PriorityField.tsx';

interface Props {
  value: TaskInput;
  /** Only the field that changed: the owner merges it into the latest value. */
  onChange(change: Partial<TaskInput>): void;
  errors: Record<string, string>;
  disabled?: boolean;
  idPrefix: string;
}

export function TaskFields({ value, onChange, errors, disabled, idPrefix }: Props) {
  const ids = {
    title: `${idPrefix}-title`,
    description: `${idPrefix}-description`,
    status: `${idPrefix}-status`,
  };
  const described = (field: keyof typeof ids) => (errors[field] ? `${ids[field]}-error` : undefined);
  return (
    <>
      <div className="field">
        <label htmlFor={ids.title}>Title</label>
        <input
          id={ids.title}
          value={value.title}
          required
          maxLength={200}
          disabled={disabled}
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={described('title')}
          onChange={(event) => onChange({ title: event.target.value })}
        />
        <FieldError id={`${ids.title}-error`} message={errors.title} />
      </div>
      <div className="field">
        <label htmlFor={ids.description}>Description</label>
        <textarea
          id={ids.description}
          rows={6}
          value={value.description ?? ''}
          maxLength={10_000}
          disabled={disabled}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={described('description')}
          onChange={(event) => onChange({ description: event.target.value || null })}
        />
        <FieldError id={`${ids.description}-error`} message={errors.description} />
      </div>
      <div className="field">
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={value.status}
          disabled={disabled}
          aria-invalid={errors.status ? true : undefined}
          aria-describedby={described('status')}
          onChange={(event) => onChange({ status: event.target.value as Status })}
        >
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
        <FieldError id={`${ids.status}-error`} message={errors.status} />
      </div>
      <div className="plan-fields">
        <DueDateField
          id={`${idPrefix}-due`}
          value={value.due_at}
          onChange={(due_at) => onChange({ due_at })}
          error={errors.due_at}
          disabled={disabled}
        />
        <PriorityField
          id={`${idPrefix}-priority`}
          value={value.priority}
          onChange={(priority) => onChange({ priority })}
          error={errors.priority}
          disabled={disabled}
        />
      </div>
      <LabelsInput
        id={`${idPrefix}-labels`}
        label="Labels"
        inputLabel="Add a label"
        emptyText="No labels yet."
        value={value.labels}
        onChange={(labels) => onChange({ labels })}
        error={errors.labels}
        disabled={disabled}
      />
      {errors.form && <FieldError id={`${idPrefix}-form-error`} message={errors.form} />}
    </>
  );
}
