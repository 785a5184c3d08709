/**
 * The due date: a day, and a time of day only if the person wants one, in
 * their own time zone (named under the fields); Clear removes it.
 */
import { FieldError } from '../components/FieldError.tsx';
import { dueAtOf, dueDateProblem, dueFieldsOf, timeZoneName } from '../lib/dates.ts';
import '../components/controls.css';

interface Props {
  value: string | null;
  onChange(due: string | null): void;
  error: string | undefined;
  disabled?: boolean | undefined;
  id: string;
}

export function DueDateField({ value, onChange, error: refusal, disabled, id }: Props) {
  const { date, time } = dueFieldsOf(value);
  // Said as soon as it is typed, and in place of the API's refusal of it once saved.
  const error = dueDateProblem(value) ?? refusal;
  const described = `${id}-hint${error ? ` ${id}-error` : ''}`;
  return (
    <fieldset className="field due-field">
      <legend>Due</legend>
      <div className="due-inputs">
        <span className="due-part">
          <label htmlFor={`${id}-date`}>Date</label>
          <input
            id={`${id}-date`}
            type="date"
            max="9999-12-31"
            value={date}
            disabled={disabled}
            aria-invalid={error ? true : undefined}
            aria-describedby={described}
            onChange={(event) => onChange(dueAtOf(event.target.value, time))}
          />
        </span>
        <span className="due-part">
          <label htmlFor={`${id}-time`}>Time (optional)</label>
          <input
            id={`${id}-time`}
            type="time"
            value={time}
            disabled={disabled || date === ''}
            aria-describedby={described}
            onChange={(event) => onChange(dueAtOf(date, event.target.value))}
          />
        </span>
        {value !== null && !disabled && (
          <button type="button" className="button ghost" onClick={() => onChange(null)}>
            Clear due date
          </button>
        )}
      </div>
      <p className="hint" id={`${id}-hint`}>
        In your time zone, {timeZoneName()}. Without a time, the task is due by the end of the day.
      </p>
      <FieldError id={`${id}-error`} message={error} />
    </fieldset>
  );
}
