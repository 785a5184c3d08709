/**
 * Turns the query string of `GET /tasks` into one normalised listing query:
 * rules that span parameters are checked here, the caller's visibility is
 * applied, and equivalent requests get the same canonical form.
 */
import { canFilterByOwner, type Visibility, visibilityOf } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import { type CursorPosition, decodeCursor } from './tasks.cursor.ts';
import { type ListSort, type ListTasksQuery, type TaskStatus, TaskStatuses } from './tasks.schemas.ts';

export interface ListingQuery {
  limit: number;
  skip: number;
  sort: ListSort;
  after: CursorPosition | undefined;
  statuses: TaskStatus[] | undefined;
  ownerId: string | undefined;
  createdAfter: string | undefined;
  createdBefore: string | undefined;
  q: string | undefined;
  visibility: Visibility;
}

const contradictory = (detail: string) => new AppError('CONTRADICTORY_PARAMETERS', detail);

/** RFC 3339 in, canonical UTC with milliseconds out. */
const instant = (value: string | undefined) =>
  value === undefined ? undefined : new Date(value).toISOString();

export function normalizeListQuery(query: ListTasksQuery, principal: Principal): ListingQuery {
  if (query.cursor !== undefined && query.skip > 0) {
    throw contradictory('Use either cursor or skip, not both: a cursor already says where the page starts.');
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after && after.sort !== query.sort) {
    throw new AppError(
      'INVALID_CURSOR',
      `This cursor belongs to sort=${after.sort}, not sort=${query.sort}.`,
    );
  }
  const createdAfter = instant(query.created_after);
  const createdBefore = instant(query.created_before);
  if (createdAfter && createdBefore && createdAfter >= createdBefore) {
    throw contradictory('created_after must be earlier than created_before.');
  }
  if (query.owner_id !== undefined && !canFilterByOwner(principal, query.owner_id)) {
    throw new AppError('FORBIDDEN', 'You may only list your own tasks (owner_id must be your own id).');
  }
  const visibility = visibilityOf(principal);
  const statuses = query.status
    ? TaskStatuses.filter((status) => query.status?.split(',').includes(status))
    : undefined;
  const q = query.q?.trim().toLowerCase();
  return {
    limit: query.limit,
    skip: query.skip,
    sort: query.sort,
    after,
    // All three statuses is no filter at all.
    statuses: statuses && statuses.length < TaskStatuses.length ? statuses : undefined,
    ownerId: visibility.kind === 'owner' ? visibility.ownerId : query.owner_id,
    createdAfter,
    createdBefore,
    q: q === '' ? undefined : q,
    visibility,
  };
}
