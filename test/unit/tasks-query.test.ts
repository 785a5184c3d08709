import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors/app-error.ts';
import { encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';
import type { ListTasksQuery } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { normalizeListQuery } from '../../src/modules/tasks/tasks.query.ts';
import { caller } from '../support/principals.ts';

const admin = caller('alice', 'admin');
const bob = caller('bob', 'user');
const query = (overrides: Partial<ListTasksQuery> = {}): ListTasksQuery => ({
  skip: 0,
  limit: 10,
  sort: '-created_at',
  ...overrides,
});
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
};

describe('listing query normalisation', () => {
  it('statuses are de-duplicated and put in a canonical order', () => {
    expect(normalizeListQuery(query({ status: 'done,todo,done' }), admin).statuses).toEqual(['todo', 'done']);
  });

  it('naming all three statuses is no status filter', () => {
    expect(normalizeListQuery(query({ status: 'done,in_progress,todo' }), admin).statuses).toBeUndefined();
  });

  it('a user always lists only their own tasks', () => {
    const listing = normalizeListQuery(query(), bob);
    expect(listing.ownerId).toBe('bob');
    expect(listing.visibility).toEqual({ kind: 'owner', ownerId: 'bob' });
  });

  it('a user naming another owner is forbidden', () => {
    expect(codeOf(() => normalizeListQuery(query({ owner_id: 'dave' }), bob))).toBe('FORBIDDEN');
  });

  it('an admin may filter by any owner', () => {
    expect(normalizeListQuery(query({ owner_id: 'dave' }), admin).ownerId).toBe('dave');
  });

  it('time bounds are normalised to UTC with milliseconds', () => {
    const listing = normalizeListQuery(query({ created_after: '2026-01-01T02:00:00+02:00' }), admin);
    expect(listing.createdAfter).toBe('2026-01-01T00:00:00.000Z');
  });

  it('bounds that leave no possible task are contradictory', () => {
    const bounds = { created_after: '2026-02-01T00:00:00Z', created_before: '2026-01-01T00:00:00Z' };
    expect(codeOf(() => normalizeListQuery(query(bounds), admin))).toBe('CONTRADICTORY_PARAMETERS');
  });

  it('cursor together with skip is contradictory', () => {
    const cursor = encodeCursor({
      sort: '-created_at',
      key: '2026-01-01T00:00:00.000Z',
      id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    });
    expect(codeOf(() => normalizeListQuery(query({ cursor, skip: 5 }), admin))).toBe(
      'CONTRADICTORY_PARAMETERS',
    );
  });

  it('a cursor made for another sort is invalid', () => {
    const cursor = encodeCursor({
      sort: 'created_at',
      key: '2026-01-01T00:00:00.000Z',
      id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    });
    expect(codeOf(() => normalizeListQuery(query({ cursor }), admin))).toBe('INVALID_CURSOR');
  });

  it('search text is trimmed, its case left to the database; blank search is no search', () => {
    expect(normalizeListQuery(query({ q: '  Report ' }), admin).q).toBe('Report');
    // JavaScript would lower-case this to 'οδος' (a final ς), PostgreSQL, which lower-cases the text
    // searched, to 'οδοσ': each text is lower-cased by the database, and keyed as sent.
    expect(normalizeListQuery(query({ q: 'ΟΔΟΣ' }), admin).q).toBe('ΟΔΟΣ');
    expect(normalizeListQuery(query({ q: '   ' }), admin).q).toBeUndefined();
  });

  it('due bounds are normalised like the created bounds; an empty range is contradictory', () => {
    const listing = normalizeListQuery(
      query({ due_after: '2024-05-01T02:00:00+02:00', due_before: '2024-06-01T00:00:00Z' }),
      admin,
    );
    expect([listing.dueAfter, listing.dueBefore]).toEqual([
      '2024-05-01T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
    ]);
    const same = '2024-05-01T00:00:00Z';
    expect(codeOf(() => normalizeListQuery(query({ due_after: same, due_before: same }), admin))).toBe(
      'CONTRADICTORY_PARAMETERS',
    );
  });

  it('overdue is judged at the current whole second, true or false', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { overdue } = normalizeListQuery(query({ overdue: false }), admin);
    expect(overdue?.is).toBe(false);
    expect(Date.parse(overdue?.at ?? '')).toBeGreaterThanOrEqual(before);
    expect(overdue?.at).toMatch(/\.000Z$/);
    expect(normalizeListQuery(query(), admin).overdue).toBeUndefined();
  });

  it('priorities become ranks in rising order; all five is no filter', () => {
    expect(normalizeListQuery(query({ priority: 'urgent,none,urgent' }), admin).priorities).toEqual([0, 4]);
    expect(
      normalizeListQuery(query({ priority: 'urgent,high,medium,low,none' }), admin).priorities,
    ).toBeUndefined();
  });

  it('labels are trimmed, de-duplicated and ordered as stored labels, their case kept', () => {
    expect(normalizeListQuery(query({ label: ' q3 ,Finance,q3' }), admin).labels).toEqual(['Finance', 'q3']);
  });

  it.each(['a, ,b', '  '])('a label filter naming a blank label (%j) is VALIDATION_FAILED', (label) => {
    expect(codeOf(() => normalizeListQuery(query({ label }), admin))).toBe('VALIDATION_FAILED');
  });
});
