/**
 * Keyset pagination cursors: the position after the last task of a page,
 * `(sort key value, id)`, plus the sort it belongs to (tasks.sorts.ts says
 * which key values each sort issues; a cursor with any other is refused). Opaque to clients
 * (base64url JSON); it grants nothing, since visibility is applied anyway.
 */
import { AppError } from '../../errors/app-error.ts';
import { type ListSort, ListSorts } from './tasks.listing-schemas.ts';
import { type Task, TaskPriorities } from './tasks.schemas.ts';
import { type CursorKey, SORT_ORDERS, type SortOrder } from './tasks.sorts.ts';

export interface CursorPosition {
  sort: ListSort;
  /** The sort key of the last task: RFC 3339 with milliseconds, null (no due date), or a priority rank. */
  key: CursorKey;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An instant as this API writes it, and one PostgreSQL stores (years 1–9999).
 * `Date.parse` alone is not enough: it rolls `2024-02-30` over to March 1,
 * which PostgreSQL refuses, so the text must be exactly what it parses to.
 */
function isIssuedInstant(key: unknown): key is string {
  if (typeof key !== 'string' || !ISO_INSTANT.test(key) || key.startsWith('0000')) return false;
  const millis = Date.parse(key);
  return !Number.isNaN(millis) && new Date(millis).toISOString() === key;
}

/** Exactly the keys a sort issues: no other value reaches the SQL. */
function isIssuedKey(keys: SortOrder['keys'], key: unknown): key is CursorKey {
  if (keys === 'rank')
    return Number.isInteger(key) && (key as number) >= 0 && (key as number) < TaskPriorities.length;
  if (keys === 'instant-or-null' && key === null) return true;
  return isIssuedInstant(key);
}

/** The position after `task` in `sort`: what the next page's cursor says. */
export const positionAfter = (sort: ListSort, task: Task): CursorPosition => ({
  sort,
  key: SORT_ORDERS[sort].keyOf(task),
  id: task.id,
});

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([1, position.sort, position.key, position.id])).toString('base64url');
}

export const invalidCursor = () =>
  new AppError('INVALID_CURSOR', 'The cursor is not one this API issued; start from the first page.');

export function decodeCursor(cursor: string): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== 1) throw invalidCursor();
  const [, sort, key, id] = decoded as [number, unknown, unknown, unknown];
  if (!ListSorts.includes(sort as ListSort)) throw invalidCursor();
  if (!isIssuedKey(SORT_ORDERS[sort as ListSort].keys, key)) throw invalidCursor();
  if (typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  return { sort: sort as ListSort, key, id: id.toLowerCase() };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
