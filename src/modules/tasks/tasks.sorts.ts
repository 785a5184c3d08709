/**
 * The orders of `GET /tasks`, defined once: for each sort, the SQL key an
 * index holds in that order, the direction, and the key a cursor records
 * of the last task of a page. Every order is total: key, then id, both in
 * the sort's direction.
 *
 * A key is never null in SQL, so that `(key, id) > (cursor key, cursor id)`
 * is one index range whatever the cursor: a task without a due date stands
 * for +infinity in `due_at` and for -infinity in `-due_at`, which puts it
 * after every due date in both directions (migration 040 keeps due dates
 * finite, so nothing else sorts there). Its cursor key is null.
 */

import type { ListSort } from './tasks.listing-schemas.ts';
import type { Task } from './tasks.schemas.ts';
import { TaskPriorities } from './tasks.schemas.ts';

/** What a cursor records of the last task of a page: an instant, null (no due date), or a priority rank. */
export type CursorKey = string | number | null;

export interface SortOrder {
  /** The key as an SQL expression over `table` (`tasks`, or a subquery's alias): what its index holds. */
  key: (table: string) => string;
  direction: 'ASC' | 'DESC';
  /** The key of a cursor as an SQL expression, given the placeholder of the cursor's value. */
  cursorKey: (placeholder: (type: 'timestamptz' | 'int') => string) => string;
  /** Which cursor keys this sort issues: anything else in a cursor is not one the API issued. */
  keys: 'instant' | 'instant-or-null' | 'rank';
  /** The cursor key of a task as the API shows it. */
  keyOf: (task: Task) => CursorKey;
}

const byInstant = (column: 'created_at' | 'updated_at', direction: SortOrder['direction']): SortOrder => ({
  key: (table) => `${table}.${column}`,
  direction,
  cursorKey: (placeholder) => placeholder('timestamptz'),
  keys: 'instant',
  keyOf: (task) => task[column],
});

/** `coalesce(due_at, ±infinity)`: the expression of the due-date indexes (migration 040), exactly. */
const dueKey = (nulls: 'infinity' | '-infinity') => (value: string) =>
  `coalesce(${value}, '${nulls}'::timestamptz)`;

const byDueAt = (direction: SortOrder['direction']): SortOrder => {
  const key = dueKey(direction === 'ASC' ? 'infinity' : '-infinity');
  return {
    key: (table) => key(`${table}.due_at`),
    direction,
    cursorKey: (placeholder) => key(placeholder('timestamptz')),
    keys: 'instant-or-null',
    keyOf: (task) => task.due_at,
  };
};

const byPriority = (direction: SortOrder['direction']): SortOrder => ({
  key: (table) => `${table}.priority`,
  direction,
  cursorKey: (placeholder) => `${placeholder('int')}::smallint`,
  keys: 'rank',
  keyOf: (task) => TaskPriorities.indexOf(task.priority),
});

export const SORT_ORDERS: Record<ListSort, SortOrder> = {
  '-created_at': byInstant('created_at', 'DESC'),
  created_at: byInstant('created_at', 'ASC'),
  '-updated_at': byInstant('updated_at', 'DESC'),
  updated_at: byInstant('updated_at', 'ASC'),
  due_at: byDueAt('ASC'),
  '-due_at': byDueAt('DESC'),
  priority: byPriority('ASC'),
  '-priority': byPriority('DESC'),
};

/** The due-date key of a sort by due date (its bounds are written on that key, so its index serves them). */
export const dueKeyOf = (sort: ListSort) =>
  sort === 'due_at' || sort === '-due_at' ? SORT_ORDERS[sort].key : undefined;
