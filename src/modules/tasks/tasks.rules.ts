/**
 * Field rules of the task resource that a JSON schema cannot express
 * (lengths after trimming), and the `ETag` / `If-Match` convention.
 */
import { AppError, validationFailed } from '../../errors/app-error.ts';
import type { Task } from './tasks.schemas.ts';

export const TITLE_MAX_CHARACTERS = 200;

/** Titles are stored trimmed; 1–200 characters (code points) must remain. */
export function normalizeTitle(title: string): string {
  const trimmed = title.trim();
  const length = [...trimmed].length;
  if (length === 0) throw validationFailed([{ pointer: '/title', message: 'must not be blank' }]);
  if (length > TITLE_MAX_CHARACTERS) {
    throw validationFailed([
      { pointer: '/title', message: `must be at most ${TITLE_MAX_CHARACTERS} characters after trimming` },
    ]);
  }
  return trimmed;
}

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

/** `If-None-Match` on a read: true when the client's copy is current (304). */
export function matchesIfNoneMatch(ifNoneMatch: string | undefined, current: Task): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etagOf(current));
}
