/**
 * The list view's state lives in the URL, so a view can be bookmarked and
 * shared: `?status=todo,done&owner=<sub>&from=2026-01-01&to=2026-01-31&q=report`
 * `&priority=high,urgent&label=bug,ui&overdue=true&due_from=…&due_to=…&sort=due_at`.
 * Days are the person's local days; the API gets RFC 3339 instants.
 * Unknown or malformed values are dropped, never sent.
 */
import {
  PRIORITIES,
  type Priority,
  SORTS,
  type Sort,
  STATUSES,
  type Status,
  type TaskFilters,
} from '../api/types.ts';
import { addLabels } from '../lib/planning.ts';

export interface ListState {
  status: Status[];
  owner?: string;
  /** First local day included, YYYY-MM-DD. */
  from?: string;
  /** Last local day included, YYYY-MM-DD. */
  to?: string;
  q?: string;
  /** Any of these priorities. */
  priority: Priority[];
  /** All of these labels. */
  label: string[];
  overdue?: true;
  /** First and last local day of the due date, included, YYYY-MM-DD. */
  dueFrom?: string;
  dueTo?: string;
  sort: Sort;
}

export const DEFAULT_SORT: Sort = '-created_at';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const validDay = (value: string | null) =>
  value && DAY.test(value) && !Number.isNaN(new Date(`${value}T00:00:00`).getTime()) ? value : undefined;

/** The known values of a comma-separated parameter, once each, in the order `known` has them. */
const listOf = <T extends string>(value: string | null, known: readonly T[]): T[] => {
  const given = (value ?? '').split(',');
  return known.filter((item) => given.includes(item));
};

/** A multi-value filter with one value switched, kept in the order `known` has them. */
export const toggled = <T extends string>(values: readonly T[], value: T, known: readonly T[]): T[] =>
  values.includes(value)
    ? values.filter((item) => item !== value)
    : known.filter((item) => item === value || values.includes(item));

export function parseListState(params: URLSearchParams): ListState {
  const sort = params.get('sort');
  const state: ListState = {
    status: listOf(params.get('status'), STATUSES),
    priority: listOf(params.get('priority'), PRIORITIES),
    // The rules of a task's labels: trimmed, each once in any case, at most 20 (all must match).
    label: addLabels([], params.get('label') ?? '').labels,
    sort: sort && (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : DEFAULT_SORT,
  };
  const owner = params.get('owner')?.trim();
  if (owner) state.owner = owner;
  const from = validDay(params.get('from'));
  if (from) state.from = from;
  const to = validDay(params.get('to'));
  if (to) state.to = to;
  const q = params.get('q')?.trim();
  if (q) state.q = q;
  if (params.get('overdue') === 'true') state.overdue = true;
  const dueFrom = validDay(params.get('due_from'));
  if (dueFrom) state.dueFrom = dueFrom;
  const dueTo = validDay(params.get('due_to'));
  if (dueTo) state.dueTo = dueTo;
  return state;
}

/** The URL's query for a state: defaults left out, so the plain view has a plain URL. */
export function listStateQuery(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.status.length > 0) params.set('status', state.status.join(','));
  if (state.owner) params.set('owner', state.owner);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.q) params.set('q', state.q);
  if (state.priority.length > 0) params.set('priority', state.priority.join(','));
  if (state.label.length > 0) params.set('label', state.label.join(','));
  if (state.overdue) params.set('overdue', 'true');
  if (state.dueFrom) params.set('due_from', state.dueFrom);
  if (state.dueTo) params.set('due_to', state.dueTo);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  return params;
}

/** Local midnight of a day, as an RFC 3339 instant. */
const startOfDay = (day: string, offsetDays = 0) => {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + offsetDays);
  return date.toISOString();
};

/** How many of the filters past search, status and owner are on (what the folded panel says). */
export const moreFiltersOn = (state: ListState) =>
  [
    state.from,
    state.to,
    state.priority.length > 0,
    state.label.length > 0,
    state.overdue,
    state.dueFrom,
    state.dueTo,
  ].filter(Boolean).length;

/** The instant just before one: the API's due bounds exclude their own instant. */
const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

/** What GET /tasks is asked for this state. `to` and `dueTo` include their whole day. */
export function filtersOf(state: ListState): TaskFilters {
  const filters: TaskFilters = { status: state.status, sort: state.sort };
  if (state.owner) filters.owner_id = state.owner;
  if (state.from) filters.created_after = startOfDay(state.from);
  if (state.to) filters.created_before = startOfDay(state.to, 1);
  if (state.q) filters.q = state.q;
  if (state.priority.length > 0) filters.priority = state.priority;
  if (state.label.length > 0) filters.label = state.label;
  if (state.overdue) filters.overdue = true;
  if (state.dueFrom) filters.due_after = justBefore(startOfDay(state.dueFrom));
  if (state.dueTo) filters.due_before = startOfDay(state.dueTo, 1);
  return filters;
}
