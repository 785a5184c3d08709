/**
 * Keyset pagination cursors: the position after the last task of a page,
 * `(sort key value, id)`, plus the sort it belongs to. Opaque to clients
 * (base64url JSON); it grants nothing, since visibility is applied anyway.
 */
import { AppError } from '../../errors/app-error.ts';
import { type ListSort, ListSorts } from './tasks.schemas.ts';

export interface CursorPosition {
  sort: ListSort;
  /** The sort key value of the last task, RFC 3339 with milliseconds. */
  key: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([1, position.sort, position.key, position.id])).toString('base64url');
}

const invalid = () =>
  new AppError('INVALID_CURSOR', 'The cursor is not one this API issued; start from the first page.');

export function decodeCursor(cursor: string): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== 1) throw invalid();
  const [, sort, key, id] = decoded as [number, unknown, unknown, unknown];
  if (!ListSorts.includes(sort as ListSort)) throw invalid();
  if (typeof key !== 'string' || !ISO_INSTANT.test(key) || Number.isNaN(Date.parse(key))) throw invalid();
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { sort: sort as ListSort, key, id: id.toLowerCase() };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
