import { describe, expect, it } from 'vitest';
import { listingQuery } from '../../src/api/tasks.ts';
import { PRIORITIES } from '../../src/api/types.ts';
import {
  filtersOf,
  listStateQuery,
  moreFiltersOn,
  parseListState,
  toggled,
} from '../../src/list/urlState.ts';

describe('the list view state in the URL', () => {
  it('reads every filter and the sort, and writes them back to the same URL', () => {
    const query = 'status=todo%2Cdone&owner=b0b0&from=2026-01-01&to=2026-01-31&q=report&sort=created_at';
    const state = parseListState(new URLSearchParams(query));
    expect(state).toEqual({
      status: ['todo', 'done'],
      owner: 'b0b0',
      from: '2026-01-01',
      to: '2026-01-31',
      q: 'report',
      priority: [],
      label: [],
      sort: 'created_at',
    });
    expect(listStateQuery(state).toString()).toBe(query);
  });

  it('drops unknown statuses, sorts and malformed days instead of sending them', () => {
    const state = parseListState(
      new URLSearchParams('status=todo,nope,todo&sort=title&from=2026-13-45&to=yesterday'),
    );
    expect(state).toEqual({ status: ['todo'], priority: [], label: [], sort: '-created_at' });
  });

  it('leaves defaults out of the URL: the plain view has a plain address', () => {
    expect(listStateQuery(parseListState(new URLSearchParams(''))).toString()).toBe('');
  });

  it('asks the API for whole local days: `to` includes its day', () => {
    const filters = filtersOf(parseListState(new URLSearchParams('from=2026-03-01&to=2026-03-01')));
    const after = new Date(filters.created_after ?? '');
    const before = new Date(filters.created_before ?? '');
    expect(before.getTime() - after.getTime()).toBe(24 * 3600 * 1000);
    expect(after.getHours()).toBe(0);
  });
});

describe('the planning filters in the URL', () => {
  it('reads priorities, labels, overdue, the due range and the planning sorts, and writes them back', () => {
    const query =
      'priority=high%2Curgent&label=bug%2Cui&overdue=true&due_from=2026-12-01&due_to=2026-12-31&sort=due_at';
    const state = parseListState(new URLSearchParams(query));
    expect(state).toEqual({
      status: [],
      priority: ['high', 'urgent'],
      label: ['bug', 'ui'],
      overdue: true,
      dueFrom: '2026-12-01',
      dueTo: '2026-12-31',
      sort: 'due_at',
    });
    expect(listStateQuery(state).toString()).toBe(query);
    expect(parseListState(new URLSearchParams('sort=-priority')).sort).toBe('-priority');
  });

  it('keeps labels as a task keeps them (trimmed, each once in any case) and drops unknown priorities', () => {
    const state = parseListState(
      new URLSearchParams('label= bug ,,Bug,ui&priority=urgent,asap,low&overdue=yes'),
    );
    expect(state.label).toEqual(['bug', 'ui']);
    expect(state.priority).toEqual(['low', 'urgent']);
    expect(state.overdue).toBeUndefined();
  });

  it('asks the API for tasks due within the whole local days given (its bounds exclude themselves)', () => {
    const filters = filtersOf(
      parseListState(new URLSearchParams('due_from=2026-03-01&due_to=2026-03-01&overdue=true')),
    );
    const after = Date.parse(filters.due_after ?? '');
    const before = Date.parse(filters.due_before ?? '');
    const dayStart = new Date(2026, 2, 1).getTime();
    // A task due at the first millisecond of the day, or at its end (a due day without a time), is inside.
    expect(after).toBe(dayStart - 1);
    expect(before).toBe(new Date(2026, 2, 2).getTime());
    expect(filters.overdue).toBe(true);
  });

  it('sends several values comma-separated, as the API takes them', () => {
    const query = listingQuery(filtersOf(parseListState(new URLSearchParams('priority=low,high&label=a,b'))));
    expect(query.get('priority')).toBe('low,high');
    expect(query.get('label')).toBe('a,b');
    expect(query.has('overdue')).toBe(false);
  });
});

describe('switching one value of a multi-value filter', () => {
  it('adds it in the known order, or removes it', () => {
    expect(toggled(['urgent'], 'low', PRIORITIES)).toEqual(['low', 'urgent']);
    expect(toggled(['low', 'urgent'], 'low', PRIORITIES)).toEqual(['urgent']);
  });
});

describe('the folded filters of a narrow screen', () => {
  it('count the filters on past search, status and owner', () => {
    expect(moreFiltersOn(parseListState(new URLSearchParams('q=x&status=todo&owner=o')))).toBe(0);
    const on = parseListState(
      new URLSearchParams('from=2026-01-01&priority=low,high&label=a&overdue=true&due_to=2026-02-01'),
    );
    expect(moreFiltersOn(on)).toBe(5);
  });
});
