import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { GenerationStore, WriteMark } from '../../src/infra/cache/cache-store.ts';
import { MemoryCacheStore } from '../../src/infra/cache/memory-cache-store.ts';
import type { ReadRouter } from '../../src/infra/db/read-router.ts';
import { TaskReads } from '../../src/modules/tasks/tasks.reads.ts';
import { createMetrics } from '../../src/observability/metrics.ts';

/** A generation store whose next `advance` the test holds open, or makes fail. */
class ControlledGenerations implements GenerationStore {
  private mark: WriteMark = { generation: 1, writeLsn: 0n };
  next: 'succeed' | 'fail' | 'hold' = 'succeed';
  private release: (() => void) | undefined;

  async current() {
    return { ...this.mark, clientLsn: undefined };
  }

  async recordSeen(): Promise<void> {}

  async advance(): Promise<void> {
    if (this.next === 'fail') throw new Error('generation store unreachable');
    if (this.next === 'hold') await new Promise<void>((resolve) => (this.release = resolve));
    this.mark = { generation: this.mark.generation + 1, writeLsn: 0n };
  }

  releaseHeld() {
    this.release?.();
  }
}

function taskReads(generations: GenerationStore, ttlSeconds = 60) {
  const noRows = { query: async () => ({ rows: [] }) };
  const router = {
    choose: () => ({ pool: noRows, source: 'primary', markFailed: () => {} }),
    replayedWithinBound: () => undefined,
  } as unknown as ReadRouter;
  return new TaskReads({
    cache: new MemoryCacheStore(),
    generations,
    router,
    ttlSeconds,
    metrics: createMetrics(),
    log: { warn: () => {} } as unknown as FastifyBaseLogger,
  });
}

const TASK_ID = '0190b6a4-0000-7000-8000-000000000000';
/** The token subject the reads are for. */
const CLIENT = 'bob';

describe('TaskReads cache trust', () => {
  it('keeps using the cache while another write is still opening its generation', async () => {
    const generations = new ControlledGenerations();
    const reads = taskReads(generations);
    await reads.task(TASK_ID, CLIENT);

    generations.next = 'hold';
    const write = reads.recordWrite(1n, CLIENT);
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('hit');

    generations.releaseHeld();
    await write;
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('miss');
  });

  it('bypasses the cache after a write could not open its generation, until a retry succeeds', async () => {
    const generations = new ControlledGenerations();
    const reads = taskReads(generations);
    await reads.task(TASK_ID, CLIENT);

    generations.next = 'fail';
    await reads.recordWrite(1n, CLIENT);
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('bypass');
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('bypass');

    generations.next = 'succeed';
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('miss');
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('hit');
  });

  it('does not trust a success that started before a later failure', async () => {
    const generations = new ControlledGenerations();
    const reads = taskReads(generations);

    generations.next = 'hold';
    const earlier = reads.recordWrite(1n, CLIENT);
    generations.next = 'fail';
    await reads.recordWrite(1n, CLIENT);
    generations.releaseHeld();
    await earlier;

    generations.next = 'fail';
    expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('bypass');
  });

  it('with caching off (TTL 0) reads the database every time', async () => {
    const reads = taskReads(new ControlledGenerations(), 0);
    for (let i = 0; i < 3; i += 1) expect((await reads.task(TASK_ID, CLIENT)).cache).toBe('bypass');
  });
});

describe('TaskReads lookups by id', () => {
  /** A pool that answers `id = ANY($1)` from a fixed set of tasks and records every query. */
  function recordingPool(existing: string[]) {
    const queries: string[][] = [];
    const pool = {
      query: async (_text: string, [ids]: [string[]]) => {
        queries.push(ids);
        return {
          rows: ids
            .filter((id) => existing.includes(id.toLowerCase()))
            .map((id) => ({
              id: id.toLowerCase(),
              title: 't',
              description: null,
              status: 'todo',
              owner_id: 'o',
              created_at: new Date(0),
              updated_at: new Date(0),
              version: 1,
            })),
        };
      },
    };
    return { pool, queries };
  }

  function readsOn(pool: unknown) {
    const router = {
      choose: () => ({ pool, source: 'primary', markFailed: () => {} }),
      replayedWithinBound: () => undefined,
    } as unknown as ReadRouter;
    return new TaskReads({
      cache: new MemoryCacheStore(),
      generations: new ControlledGenerations(),
      router,
      ttlSeconds: 0,
      metrics: createMetrics(),
      log: { warn: () => {} } as unknown as FastifyBaseLogger,
    });
  }

  const A = '0190b6a4-0000-7000-8000-00000000000a';
  const B = '0190b6a4-0000-7000-8000-00000000000b';
  const UNKNOWN = '0190b6a4-0000-7000-8000-00000000000c';

  it('lookups requested in one turn of the event loop share one query, each gets its own answer', async () => {
    const { pool, queries } = recordingPool([A, B]);
    const reads = readsOn(pool);
    const [a, b, unknown, upper] = await Promise.all([
      reads.task(A, CLIENT),
      reads.task(B, CLIENT),
      reads.task(UNKNOWN, CLIENT),
      reads.task(B.toUpperCase(), CLIENT),
    ]);
    expect(queries).toHaveLength(1);
    expect([a.value?.id, b.value?.id, unknown.value, upper.value?.id]).toEqual([A, B, null, B]);
  });

  it('lookups in later turns go out as later queries: no answer outlives its query', async () => {
    const { pool, queries } = recordingPool([A]);
    const reads = readsOn(pool);
    await reads.task(A, CLIENT);
    await reads.task(A, CLIENT);
    expect(queries).toEqual([[A], [A]]);
  });
});
