/** The listing's filters; every change goes to the URL (search after a pause in typing). */
import { useEffect, useId, useState } from 'react';
import { type Sort, STATUS_LABELS, STATUSES } from '../api/types.ts';
import { displayNameOf } from '../api/users.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { usePeople } from '../components/People.tsx';
import { MoreFilters } from './MoreFilters.tsx';
import { type ListState, toggled } from './urlState.ts';

const SORT_LABELS: Record<Sort, string> = {
  '-created_at': 'Newest first',
  created_at: 'Oldest first',
  '-updated_at': 'Recently updated',
  updated_at: 'Least recently updated',
  due_at: 'Due soonest',
  '-due_at': 'Due latest',
  '-priority': 'Highest priority',
  priority: 'Lowest priority',
};
const SEARCH_PAUSE_MS = 300;

interface Props {
  state: ListState;
  onChange(next: ListState): void;
}

function SearchInput({ value, onSearch }: { value: string; onSearch(q: string): void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => onSearch(text.trim()), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <div className="field search">
      <label htmlFor="search">Search</label>
      <input
        id="search"
        type="search"
        value={text}
        placeholder="Title or description (press /)"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => event.key === 'Enter' && onSearch(text.trim())}
      />
    </div>
  );
}

function OwnerFilter({ value, onOwner }: { value: string; onOwner(owner: string): void }) {
  const people = usePeople();
  if (people.length === 0) {
    return (
      <div className="field">
        <label htmlFor="owner">Owner id</label>
        <input
          id="owner"
          value={value}
          placeholder="Everyone"
          onChange={(e) => onOwner(e.target.value.trim())}
        />
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor="owner">Owner</label>
      <select id="owner" value={value} onChange={(event) => onOwner(event.target.value)}>
        <option value="">Everyone</option>
        {people.map((person) => (
          <option key={person.sub} value={person.sub}>
            {displayNameOf(person)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterBar({ state, onChange }: Props) {
  const auth = useAuth();
  const id = useId();
  const set = (patch: Partial<ListState>) => {
    const next = { ...state, ...patch };
    for (const key of Object.keys(patch) as (keyof ListState)[]) if (next[key] === '') delete next[key];
    onChange(next);
  };
  return (
    <search className="filter-bar" aria-label="Filter tasks">
      <SearchInput value={state.q ?? ''} onSearch={(q) => set({ q })} />
      <fieldset className="field status-filter">
        <legend>Status</legend>
        <div className="chips">
          {STATUSES.map((status) => (
            <label key={status} className="chip">
              <input
                type="checkbox"
                checked={state.status.includes(status)}
                onChange={() => set({ status: toggled(state.status, status, STATUSES) })}
              />
              {STATUS_LABELS[status]}
            </label>
          ))}
        </div>
      </fieldset>
      {auth.can.seesEveryone && <OwnerFilter value={state.owner ?? ''} onOwner={(owner) => set({ owner })} />}
      <div className="field sort">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select
          id={`${id}-sort`}
          value={state.sort}
          onChange={(event) => set({ sort: event.target.value as Sort })}
        >
          {Object.entries(SORT_LABELS).map(([sort, label]) => (
            <option key={sort} value={sort}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <MoreFilters state={state} set={set} />
    </search>
  );
}
