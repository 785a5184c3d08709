import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error.ts';
import { decodeCursor, encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';

const position = {
  sort: '-created_at',
  key: '2026-11-25T01:02:03.456Z',
  id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
} as const;

const cursorOf = (key: string) =>
  Buffer.from(JSON.stringify([1, '-created_at', key, position.id])).toString('base64url');

describe('cursor encoding', () => {
  it('a cursor decodes to the position it was made from', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['2024-02-29T23:59:59.999Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])(
    'a cursor at %s, a real instant PostgreSQL stores, decodes',
    (key) => {
      expect(decodeCursor(cursorOf(key)).key).toBe(key);
    },
  );

  it('a cursor is URL-safe text', () => {
    expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['not base64 json', 'not-a-cursor'],
    ['an empty array', Buffer.from('[]').toString('base64url')],
    [
      'an unknown version',
      Buffer.from(JSON.stringify([2, '-created_at', position.key, position.id])).toString('base64url'),
    ],
    [
      'an unknown sort',
      Buffer.from(JSON.stringify([1, 'title', position.key, position.id])).toString('base64url'),
    ],
    [
      'a key that is not an instant',
      Buffer.from(JSON.stringify([1, '-created_at', "1' OR 1=1", position.id])).toString('base64url'),
    ],
    // Date.parse rolls these over (to March 1, to the next day); PostgreSQL refuses them (22008).
    ...['2024-02-30T00:00:00.000Z', '2023-02-29T12:00:00.000Z', '2024-04-31T00:00:00.000Z'].map(
      (key) => [`a day that does not exist (${key})`, cursorOf(key)] as [string, string],
    ),
    ['an hour 24', cursorOf('2024-02-29T24:00:00.000Z')],
    ['a year 0, which PostgreSQL does not store', cursorOf('0000-06-01T00:00:00.000Z')],
    [
      'an id that is not a UUID',
      Buffer.from(JSON.stringify([1, '-created_at', position.key, 'x'])).toString('base64url'),
    ],
  ])('a cursor with %s is rejected as INVALID_CURSOR', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrowError(AppError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as AppError).code).toBe('INVALID_CURSOR');
    }
  });
});

const cursorFor = (sort: string, key: unknown) =>
  Buffer.from(JSON.stringify([1, sort, key, position.id])).toString('base64url');

describe('cursor keys of each sort', () => {
  it.each([
    ['due_at', position.key],
    ['due_at', null],
    ['-due_at', null],
    ['priority', 0],
    ['-priority', 4],
  ] as const)('a %s cursor at %s decodes to it', (sort, key) => {
    expect(decodeCursor(encodeCursor({ sort, key, id: position.id }))).toEqual({
      sort,
      key,
      id: position.id,
    });
  });

  it.each([
    ['-created_at', null, 'no instant in a sort whose key is never missing'],
    ['due_at', 2, 'a rank in a due-date sort'],
    ['due_at', 'infinity', 'an infinite due date'],
    ['priority', 5, 'a rank above urgent'],
    ['-priority', -1, 'a negative rank'],
    ['priority', 1.5, 'a fractional rank'],
    ['priority', '3', 'a rank as text'],
    ['priority', null, 'no rank'],
  ] as [string, unknown, string][])('a %s cursor with key %j (%s) is INVALID_CURSOR', (sort, key) => {
    expect(() => decodeCursor(cursorFor(sort, key))).toThrowError(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });
});
