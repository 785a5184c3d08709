import { describe, expect, it } from 'vitest';
import { assertIfMatch, ifMatchVersions } from '../../src/modules/tasks/tasks.rules.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';

const at = (version: number) => ({ version }) as Task;
const matches = (ifMatch: string, version: number) => {
  try {
    assertIfMatch(ifMatch, at(version));
    return true;
  } catch {
    return false;
  }
};

describe('If-Match as versions for the database', () => {
  it('is no precondition without a header or with *', () => {
    expect(ifMatchVersions(undefined)).toBeNull();
    expect(ifMatchVersions(' * ')).toBeNull();
  });

  it('accepts exactly the versions assertIfMatch accepts', () => {
    const headers = [
      '"3"',
      ' "3" , "5"',
      'W/"3"',
      '"03"',
      '3',
      '"3',
      '"", "0"',
      '"99999999999"',
      '"2147483647"',
    ];
    for (const header of headers) {
      const versions = ifMatchVersions(header) ?? [];
      // A task's version is at least 1 (a table rule).
      for (const version of [1, 3, 5, 2147483647]) {
        expect(versions.includes(version), `${header} against ${version}`).toBe(matches(header, version));
      }
    }
    expect(ifMatchVersions('"3", W/"4", "x"')).toEqual([3]);
  });
});
