/**
 * Field rules of the task resource that its JSON schema does not express
 * (not blank, labels unique regardless of case), how fields are stored, and
 * the `ETag` / `If-Match` convention. The lengths are the schema's.
 */
import { AppError, validationFailed } from '../../errors/app-error.ts';
import type { Task } from './tasks.schemas.ts';

/** Titles are stored trimmed, and must not be blank. */
export function normalizeTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw validationFailed([{ pointer: '/title', message: 'must not be blank' }]);
  return trimmed;
}

const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const LEAP_SECOND = /:60(\.\d+)?(?=[zZ+-])/;

/**
 * A due date as stored and shown: UTC with milliseconds. A leap second
 * (`23:59:60`, which RFC 3339 allows and `Date` does not) is the last
 * millisecond before the next second; outside years 1–9999 (what the
 * database stores) is a 422.
 */
export function normalizeDueAt(dueAt: string | null): string | null {
  if (dueAt === null) return null;
  const leap = LEAP_SECOND.test(dueAt);
  const parsed = Date.parse(leap ? dueAt.replace(LEAP_SECOND, ':59.999') : dueAt);
  if (Number.isNaN(parsed) || parsed < EARLIEST || parsed > LATEST) {
    throw validationFailed([
      { pointer: '/due_at', message: 'must be an RFC 3339 date-time in the years 1–9999' },
    ]);
  }
  return new Date(parsed).toISOString();
}

/**
 * Labels as stored: trimmed, not blank, no two equal regardless of case (a
 * repeated label is a mistake worth telling), in case-insensitive order so
 * that equal sets are stored alike. `at` is where the labels are in the body.
 */
export function normalizeLabels(labels: readonly string[], at = '/labels'): string[] {
  const errors: { pointer: string; message: string }[] = [];
  const seen = new Map<string, number>();
  const trimmed = labels.map((label, index) => {
    const value = label.trim();
    const pointer = `${at}/${index}`;
    if (value === '') errors.push({ pointer, message: 'must not be blank' });
    const key = value.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined && value !== '') {
      errors.push({ pointer, message: `repeats label ${first} (labels are unique regardless of case)` });
    } else seen.set(key, index);
    return value;
  });
  if (errors.length > 0) throw validationFailed(errors);
  return trimmed.sort((a, b) => compareLabels(a, b));
}

/**
 * The `label` filter's labels: trimmed as stored labels are, distinct, in
 * the order labels are kept (so that equal filters are one cache key).
 * Their case is left to the database, which matches them as it keys the
 * stored ones (`task_label_keys`), so both sides are lower-cased alike.
 */
export function normalizeLabelFilter(filter: string): string[] {
  const labels = [...new Set(filter.split(',').map((label) => label.trim()))];
  // The schema's pattern has bounded their number and lengths; blank needs the trimming.
  if (labels.some((label) => label === '')) {
    throw validationFailed([{ parameter: 'label', message: 'must not name a blank label' }]);
  }
  return labels.sort(compareLabels);
}

/** The order labels are kept in: case-insensitive, then by code point for a stable tie-break. */
const compareLabels = (a: string, b: string) => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
};

export const etagOf = (task: Pick<Task, 'version'>) => `"${task.version}"`;

/**
 * `If-Match` (RFC 9110 §13.1.1): `*` or a list of strong entity tags; a weak
 * or unparsable one never matches. No header means no precondition.
 */
export function assertIfMatch(ifMatch: string | undefined, current: Task): void {
  if (ifMatch === undefined) return;
  const value = ifMatch.trim();
  if (value === '*') return;
  const tags = value.split(',').map((tag) => tag.trim());
  if (!tags.includes(etagOf(current))) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `The task changed since you read it: its ETag is now ${etagOf(current)}. Read it again.`,
      { headers: { etag: etagOf(current) } },
    );
  }
}

/** The largest version PostgreSQL's `integer` holds. */
const MAX_VERSION = 2 ** 31 - 1;

/**
 * The versions `If-Match` accepts, as `assertIfMatch` decides: null when
 * any version does (no header, `*`); otherwise those of its strong tags
 * written exactly as `etagOf` writes them (`"7"`, not `"07"` nor `W/"7"`),
 * possibly none.
 */
export function ifMatchVersions(ifMatch: string | undefined): number[] | null {
  if (ifMatch === undefined || ifMatch.trim() === '*') return null;
  return ifMatch
    .trim()
    .split(',')
    .map((tag) => Number(/^"([1-9]\d{0,9})"$/.exec(tag.trim())?.[1]))
    .filter((version) => version <= MAX_VERSION);
}

/** `If-None-Match` on a read: true when the client's copy is current (304). */
export function matchesIfNoneMatch(ifNoneMatch: string | undefined, current: Task): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etagOf(current));
}
