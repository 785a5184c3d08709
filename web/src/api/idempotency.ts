/**
 * One Idempotency-Key per create intent: the same body sent again (a double
 * click, a retry after a lost answer) carries the same key, so the server
 * makes one task; a changed body is a new intent with a new key (reusing
 * the key with another body would be a 409).
 */
export interface CreateIntent {
  key: string;
  body: string;
}

export function intentFor(
  previous: CreateIntent | undefined,
  body: string,
  newKey: () => string,
): CreateIntent {
  return previous && previous.body === body ? previous : { key: newKey(), body };
}
