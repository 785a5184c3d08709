/**
 * The filters past search, status and owner: the created range, priority
 * (any of), labels (all of), overdue and the due range (local days). On a
 * narrow screen they fold behind a "More filters" button that says how many
 * are on, so the list stays in the first screen; wider, they are all shown.
 */
import { useId, useState } from 'react';
import { PRIORITIES, PRIORITY_LABELS } from '../api/types.ts';
import { PriorityIcon } from '../components/Planning.tsx';
import { LabelFilter } from './LabelFilter.tsx';
import { type ListState, moreFiltersOn, toggled } from './urlState.ts';

interface Props {
  state: ListState;
  set(patch: Partial<ListState>): void;
}

type DayKey = 'from' | 'to' | 'dueFrom' | 'dueTo';

function DayField({ label, day, state, set }: Props & { label: string; day: DayKey }) {
  const id = useId();
  return (
    <div className="field day-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={state[day] ?? ''}
        onChange={(event) => set({ [day]: event.target.value })}
      />
    </div>
  );
}

export function MoreFilters({ state, set }: Props) {
  const id = useId();
  const on = moreFiltersOn(state);
  const [open, setOpen] = useState(on > 0);
  return (
    <>
      <button
        type="button"
        className="button filters-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        More filters{on > 0 ? ` (${on} on)` : ''}
      </button>
      <div id={id} className={open ? 'more-filters open' : 'more-filters'}>
        <div className="filter-group">
          <DayField label="Created from" day="from" state={state} set={set} />
          <DayField label="Created to" day="to" state={state} set={set} />
        </div>
        <fieldset className="field status-filter">
          <legend>Priority</legend>
          <div className="chips">
            {PRIORITIES.map((priority) => (
              <label key={priority} className={`chip priority priority-${priority}`}>
                <input
                  type="checkbox"
                  checked={state.priority.includes(priority)}
                  onChange={() => set({ priority: toggled(state.priority, priority, PRIORITIES) })}
                />
                <PriorityIcon priority={priority} />
                {priority === 'none' ? 'None' : PRIORITY_LABELS[priority]}
              </label>
            ))}
          </div>
        </fieldset>
        <LabelFilter value={state.label} onChange={(label) => set({ label })} />
        <div className="filter-group">
          <fieldset className="field status-filter">
            <legend>Due</legend>
            <div className="chips">
              <label className="chip">
                <input
                  type="checkbox"
                  checked={state.overdue === true}
                  onChange={(event) => set({ overdue: event.target.checked ? true : undefined })}
                />
                Overdue
              </label>
            </div>
          </fieldset>
          <DayField label="Due from" day="dueFrom" state={state} set={set} />
          <DayField label="Due to" day="dueTo" state={state} set={set} />
        </div>
      </div>
    </>
  );
}
