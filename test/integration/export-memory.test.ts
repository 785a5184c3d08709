/**
 * GET /tasks/export streams: 100,000 tasks go out through the real server
 * (running in this process, so its memory is this process's) while its
 * memory stays flat. The client reads the body chunk by chunk and keeps
 * nothing but counts. An export that held its body before sending it
 * fails here (tried: +59 MB of heap for NDJSON, +23 MB for CSV, against
 * +2 to +3 MB streamed); one that held the rows as objects would hold more.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { subOf } from '../support/task-helpers.ts';

const TASKS = 100_000;
const MB = 1024 * 1024;
/**
 * What the export may hold at once (heap in use after a full collection):
 * a few batches. Below the body's size, so an export that holds its whole
 * body (or every row) cannot pass; RSS may grow a little more.
 */
const HEAP_BOUND = 16 * MB;
const RSS_BOUND = 50 * MB;
const MIN_BODY = 20 * MB;

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
  const client = new pg.Client({ connectionString: api.database.url });
  await client.connect();
  try {
    // One set-based statement; more than the database's default statement timeout may allow on a busy machine.
    await client.query('SET statement_timeout = 0');
    await client.query(
      `INSERT INTO tasks (id, title, status, owner_id, due_at, priority, labels, created_at, updated_at)
       SELECT gen_random_uuid(), 'Exported task ' || i, (ARRAY['todo', 'in_progress', 'done'])[i % 3 + 1], $1,
              t + interval '7 days', i % 5, ARRAY['export', 'from-old-tracker', 'batch-' || (i % 100)], t, t
       FROM generate_series(1, $2::int) AS i,
            LATERAL (SELECT timestamptz '2024-01-01T00:00:00Z' + i * interval '1 second' AS t) AS created`,
      [subOf('bob'), TASKS],
    );
    await client.query('ANALYZE tasks');
  } finally {
    await client.end();
  }
}, 120_000);
afterAll(() => api?.close());

// Garbage is not memory the export holds: each sample is taken after a full collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * The process's memory every 250 ms while `work` runs, each sample after a
 * full collection: the highest heap in use (what the export holds) and RSS.
 */
async function peakMemoryDuring<T>(work: () => Promise<T>) {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
  };
  const timer = setInterval(sample, 250);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
    sample();
  }
}

/** Reads an export to its end, keeping only its size and its number of lines. */
async function drain(response: Response) {
  let bytes = 0;
  let lines = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes, lines };
    bytes += value.byteLength;
    for (const byte of value) if (byte === 0x0a) lines += 1;
  }
}

describe('export memory', () => {
  it.each(['application/x-ndjson', 'text/csv'])(
    `exports ${TASKS.toLocaleString('en')} tasks as %s with the server's memory flat`,
    async (accept) => {
      // Warm: the first request compiles and allocates what every later one reuses.
      await drain(await api.request('alice', 'GET', '/tasks/export?status=done', { headers: { accept } }));
      collectGarbage();
      const before = process.memoryUsage();
      const started = Date.now();
      const { result, peak } = await peakMemoryDuring(async () =>
        drain(await api.request('alice', 'GET', '/tasks/export', { headers: { accept } })),
      );
      const figures = {
        accept,
        seconds: (Date.now() - started) / 1000,
        bodyMB: +(result.bytes / MB).toFixed(1),
        rssGrowthMB: +((peak.rss - before.rss) / MB).toFixed(1),
        heapGrowthMB: +((peak.heapUsed - before.heapUsed) / MB).toFixed(1),
      };
      console.log(`export memory: ${JSON.stringify(figures)}`);
      expect(result.lines).toBe(accept === 'text/csv' ? TASKS + 1 : TASKS);
      expect(result.bytes).toBeGreaterThan(MIN_BODY);
      expect(peak.rss - before.rss).toBeLessThan(RSS_BOUND);
      expect(peak.heapUsed - before.heapUsed).toBeLessThan(HEAP_BOUND);
    },
    60_000,
  );
});
