/**
 * Exports every known series of a labelled counter at 0 from the start: it is
 * otherwise absent until its first increment, and a dashboard or alert on a
 * fresh process sees "no data" instead of zero.
 */
import type { Counter } from 'prom-client';

export function withZeroSeries<T extends string>(counter: Counter<T>, series: string[][]): Counter<T> {
  for (const labels of series) counter.labels(...labels).inc(0);
  return counter;
}

/** Every pairing of a first label's values with a second's. */
export const everyPair = (firsts: string[], seconds: string[]) =>
  firsts.flatMap((first) => seconds.map((second) => [first, second]));
