/** How often and how late a failed message is tried again, whichever transport carries it. */

/** Attempts in all before an event goes to the dead letters. */
export const MAX_ATTEMPTS = 3;

/** Delay before attempt `attempt + 1`: the base, then 4 times as long. */
export const retryDelayMs = (baseMs: number, attempt: number) => baseMs * 4 ** (attempt - 1);

/** The delays between attempts, in order (MAX_ATTEMPTS - 1 of them). */
export const retryDelays = (baseMs: number) =>
  Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(baseMs, i + 1));
