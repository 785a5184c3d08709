import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error.ts';
import { decodeCursor, encodeCursor } from '../../src/modules/tasks/tasks.cursor.ts';

const position = {
  sort: '-created_at',
  key: '2026-11-25T01:02:03.456Z',
  id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
} as const;

describe('cursor encoding', () => {
  it('a cursor decodes to the position it was made from', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

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
