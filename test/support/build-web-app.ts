/**
 * Vitest global setup of the integration tier: what the start serves
 * (dist/ and the web app) is built once, if stale, before any file runs, so
 * the files that serve it (and the `npm start` of the browser journeys)
 * never build it at the same time.
 */
import { buildIfStale } from '../../scripts/build-if-stale.mjs';

export default async function setup(): Promise<void> {
  await buildIfStale();
}
