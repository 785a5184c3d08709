/** The list: filters and sort from the URL, quick add for those who may write, the virtualized rows. */
import { startTransition, useCallback, useMemo, useOptimistic } from 'react';
import { useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthContext.tsx';
import { FilterBar } from './FilterBar.tsx';
import { QuickAdd } from './QuickAdd.tsx';
import { TaskRows } from './TaskRows.tsx';
import { filtersOf, type ListState, listStateQuery, parseListState } from './urlState.ts';

export function ListView() {
  const auth = useAuth();
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseListState(params), [params]);
  const filters = useMemo(() => filtersOf(state), [state]);
  // The router commits a URL change as a transition, which React may defer behind the rows'
  // render: the filter bar shows the change at once (a ticked box stays ticked, a second
  // change builds on the first), and the rows follow when the URL has changed.
  const [shownState, showState] = useOptimistic(state);
  const onChange = useCallback(
    (next: ListState) =>
      startTransition(() => {
        showState(next);
        setParams(listStateQuery(next));
      }),
    [setParams, showState],
  );
  return (
    <section className="page list-page" aria-labelledby="list-title">
      <div className="page-head">
        <h1 id="list-title">{auth.can.seesEveryone ? 'All tasks' : 'My tasks'}</h1>
      </div>
      {auth.can.canWrite && <QuickAdd />}
      <FilterBar state={shownState} onChange={onChange} />
      <TaskRows filters={filters} />
    </section>
  );
}
