/**
 * Requests to an API of several node:cluster workers, each on a connection of
 * its own. Which worker takes a connection is the kernel's choice (each worker
 * accepts from the shared socket), so a test cannot aim at a worker. It counts
 * instead: within one cache generation a worker misses a resource once and
 * then serves it from its cache, so N misses of one URL mean that all N
 * workers have read it anew.
 */
import { request } from 'node:http';
import { expect } from 'vitest';

export interface Answer {
  status: number;
  /** The X-Cache header: `hit` or `miss`. */
  cache: string | undefined;
  json: unknown;
}

export function onNewConnection(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          cache: res.headers['x-cache'] as string | undefined,
          json: text ? JSON.parse(text) : null,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * GETs `url` on new connections until `workers` answers were cache misses,
 * every answer (hits included) passed to `check`; then one more must be a hit.
 * Afterwards every worker has read the resource anew and holds it in its cache.
 */
export async function untilEveryWorkerMissed(
  workers: number,
  url: string,
  headers: Record<string, string>,
  check: (answer: Answer) => void,
): Promise<void> {
  let misses = 0;
  for (let attempt = 0; attempt < 200 * workers && misses < workers; attempt += 1) {
    const answer = await onNewConnection('GET', url, headers);
    expect(answer.status).toBe(200);
    check(answer);
    if (answer.cache === 'miss') misses += 1;
  }
  expect(misses, `cache misses of ${url} (one per worker)`).toBe(workers);
  const cached = await onNewConnection('GET', url, headers);
  check(cached);
  expect(cached.cache, `${url} once every worker has read it`).toBe('hit');
}
