/**
 * Turns the query string of `GET /tasks` into one normalised listing query:
 * rules that span parameters are checked here, the caller's visibility is
 * applied, and equivalent requests get the same canonical form.
 */
import { canFilterByOwner, type Visibility, visibilityOf } from '../../auth/policy.ts';
import type { Principal } from '../../auth/principal.ts';
import { AppError, validationFailed } from '../../errors/app-error.ts';
import { type CursorPosition, decodeCursor } from './tasks.cursor.ts';
import type { ListSort, ListTasksQuery } from './tasks.listing-schemas.ts';
import { normalizeLabelFilter } from './tasks.rules.ts';
import { TaskPriorities, type TaskStatus, TaskStatuses } from './tasks.schemas.ts';

export interface ListingQuery {
  limit: number;
  skip: number;
  sort: ListSort;
  after: CursorPosition | undefined;
  statuses: TaskStatus[] | undefined;
  ownerId: string | undefined;
  createdAfter: string | undefined;
  createdBefore: string | undefined;
  dueAfter: string | undefined;
  dueBefore: string | undefined;
  /**
   * `overdue`: the instant it is judged at (the request's second, UTC), and whether
   * the listing keeps the overdue tasks (true) or every other (false).
   */
  overdue: { at: string; is: boolean } | undefined;
  /** Priority ranks (0 none … 4 urgent), any of them; undefined: all. */
  priorities: number[] | undefined;
  /** Labels a task must all have (compared case-insensitively by the database); trimmed, distinct. */
  labels: string[] | undefined;
  q: string | undefined;
  visibility: Visibility;
}

const contradictory = (detail: string) => new AppError('CONTRADICTORY_PARAMETERS', detail);

/** What PostgreSQL stores (years 1–9999); no task lies outside, so a bound beyond is clamped. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const LEAP_SECOND = /:60(\.\d+)?(?=[zZ+-])/;

/**
 * RFC 3339 in (the schema checked the text), canonical UTC with milliseconds
 * out. `Date` rejects a leap second (`23:59:60`), which RFC 3339 allows: it
 * lies after 23:59:59.999 and before the next second, so as an exclusive
 * lower bound it is 23:59:59.999 and as an exclusive upper bound the next second.
 */
function instant(
  value: string | undefined,
  field: 'created' | 'due',
  bound: 'after' | 'before',
): string | undefined {
  if (value === undefined) return undefined;
  const leap = LEAP_SECOND.test(value);
  const parsed = Date.parse(leap ? value.replace(LEAP_SECOND, ':59') : value);
  const millis = leap ? parsed + (bound === 'after' ? 999 : 1000) : parsed;
  if (Number.isNaN(millis)) {
    throw validationFailed([{ parameter: `${field}_${bound}`, message: 'must be an RFC 3339 date-time' }]);
  }
  return new Date(Math.min(Math.max(millis, EARLIEST), LATEST)).toISOString();
}

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
  const createdAfter = instant(query.created_after, 'created', 'after');
  const createdBefore = instant(query.created_before, 'created', 'before');
  if (createdAfter && createdBefore && createdAfter >= createdBefore) {
    throw contradictory('created_after must be earlier than created_before.');
  }
  const dueAfter = instant(query.due_after, 'due', 'after');
  const dueBefore = instant(query.due_before, 'due', 'before');
  if (dueAfter && dueBefore && dueAfter >= dueBefore) {
    throw contradictory('due_after must be earlier than due_before.');
  }
  if (query.owner_id !== undefined && !canFilterByOwner(principal, query.owner_id)) {
    throw new AppError('FORBIDDEN', 'You may only list your own tasks (owner_id must be your own id).');
  }
  const visibility = visibilityOf(principal);
  const statuses = query.status
    ? TaskStatuses.filter((status) => query.status?.split(',').includes(status))
    : undefined;
  const priorities = query.priority
    ? TaskPriorities.flatMap((word, rank) => (query.priority?.split(',').includes(word) ? [rank] : []))
    : undefined;
  // Blank, or long enough for the trigram index (the schema's pattern): blank is no search. Not
  // lower-cased here: the database does it, as it does for the text it searches (Unicode case
  // mappings differ: JavaScript writes a final Σ as ς, PostgreSQL as σ).
  const q = query.q?.trim();
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
    dueAfter,
    dueBefore,
    // Judged at a whole second: one cache key per second, and the same instant for the whole page.
    overdue:
      query.overdue === undefined
        ? undefined
        : { at: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(), is: query.overdue },
    // All five priorities is no filter at all.
    priorities: priorities && priorities.length < TaskPriorities.length ? priorities : undefined,
    labels: query.label === undefined ? undefined : normalizeLabelFilter(query.label),
    q: q === '' ? undefined : q,
    visibility,
  };
}

/**
 * Cache key of a listing: the original design's `tasks:skip=0:limit=10`,
 * extended with every normalised parameter and the caller's visibility
 * scope, so one user's page is never served to another.
 */
export function listingKey(listing: ListingQuery): string {
  const scope = listing.visibility.kind === 'all' ? 'all' : `owner:${listing.visibility.ownerId}`;
  const parts: [string, string | number | undefined][] = [
    ['skip', listing.skip],
    ['limit', listing.limit],
    ['scope', scope],
    ['sort', listing.sort],
    ['after', listing.after && `${JSON.stringify(listing.after.key)}/${listing.after.id}`],
    ['status', listing.statuses?.join(',')],
    ['owner', listing.ownerId],
    ['created_after', listing.createdAfter],
    ['created_before', listing.createdBefore],
    ['due_after', listing.dueAfter],
    ['due_before', listing.dueBefore],
    ['overdue', listing.overdue && `${listing.overdue.is}@${listing.overdue.at}`],
    ['priority', listing.priorities?.join(',')],
    // JSON: a label may hold any character but a comma; the key must tell `a,b` from `a` and `b`.
    ['label', listing.labels && JSON.stringify(listing.labels)],
    ['q', listing.q],
  ];
  // Values are URI-encoded so that no value can forge another parameter (a `:` in an owner id).
  return parts
    .map(([name, value]) => `${name}=${value === undefined ? '' : encodeURIComponent(value)}`)
    .join(':');
}
