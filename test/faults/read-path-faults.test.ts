/**
 * Faults on the read path during a steady stream of requests: Redis, the
 * replica, then the primary behind PgBouncer are stopped and brought back.
 * Results stay correct, the only failures are the documented ones (503 with
 * Retry-After, while the primary is down), and no acknowledged task is lost.
 * These tests stop shared servers, so they run alone, after the others.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPart, stopPart } from '../../scripts/stack/postgres-topology.ts';
import { startStackReplica } from '../../scripts/stack/stack.ts';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';
import { createTopologyDatabase, type TopologyDatabase } from '../support/topology.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  op: 'create' | 'list' | 'read';
  status: number;
  retryAfter: string | null;
  at: number;
}

let database: TopologyDatabase;
let redis: PrivateRedis;
let api: RunningApi;
/** Every task the API acknowledged with 201, by id. */
const acknowledged = new Map<string, Task>();

/** Requests from `workers` concurrent clients until `stop` resolves; every outcome is kept. */
async function stream(during: () => Promise<void>, workers = 4): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let running = true;
  const client = async (worker: number) => {
    for (let i = 0; running; i += 1) {
      const op = (['create', 'list', 'read'] as const)[i % 3] as Outcome['op'];
      let response: Response;
      if (op === 'create') {
        response = await api.request('bob', 'POST', '/tasks', { json: { title: `w${worker}-${i}` } });
        if (response.status === 201) {
          const task = await bodyOf<Task>(response);
          acknowledged.set(task.id, task);
        }
      } else if (op === 'list') {
        response = await api.request('bob', 'GET', '/tasks?limit=5');
        if (response.status === 200)
          expect((await bodyOf<TaskPage>(response)).items.length).toBeGreaterThan(0);
      } else {
        const known = [...acknowledged.keys()];
        response = await api.request('bob', 'GET', `/tasks/${known[i % Math.max(known.length, 1)] ?? ''}`);
        if (response.status === 200) expect(acknowledged.has((await bodyOf<Task>(response)).id)).toBe(true);
      }
      outcomes.push({
        op,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        at: Date.now(),
      });
      await response.arrayBuffer().catch(() => undefined);
      await sleep(10);
    }
  };
  const clients = Array.from({ length: workers }, (_, worker) => client(worker));
  await during();
  running = false;
  await Promise.all(clients);
  return outcomes;
}

async function storedIds(): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return new Set((await client.query<{ id: string }>('SELECT id FROM tasks')).rows.map((row) => row.id));
  } finally {
    await client.end();
  }
}

async function expectNothingLost() {
  const stored = await storedIds();
  for (const id of acknowledged.keys())
    expect(stored.has(id), `acknowledged task ${id} is stored`).toBe(true);
}

const failures = (outcomes: Outcome[]) => outcomes.filter((outcome) => outcome.status >= 300);

beforeAll(async () => {
  database = await createTopologyDatabase();
  redis = await startPrivateRedis();
  api = await startApi(
    {
      DATABASE_URL: database.primaryPoolerUrl,
      DATABASE_REPLICA_URL: database.replicaPoolerUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `faults-${randomBytes(4).toString('hex')}:`,
    },
    { database },
  );
  await api.request('bob', 'POST', '/tasks', { json: { title: 'first' } }).then(async (response) => {
    const task = await bodyOf<Task>(response);
    acknowledged.set(task.id, task);
  });
});

afterAll(async () => {
  // Whatever happened, the shared topology is left running for whoever comes next.
  await startPart('primary');
  await startStackReplica();
  await api?.close();
  await redis?.stop();
  await database?.drop();
});

describe('faults during a stream of requests', () => {
  it('Redis stopped and restarted: every request succeeds, served from the database meanwhile', async () => {
    const outcomes = await stream(async () => {
      await sleep(500);
      await redis.stop();
      await sleep(1_500);
      await redis.start();
      await sleep(1_000);
    });
    expect(outcomes.length).toBeGreaterThan(50);
    expect(failures(outcomes)).toEqual([]);
    await expectNothingLost();
  });

  it('the replica stopped and restarted: every request succeeds on the primary meanwhile', async () => {
    const outcomes = await stream(async () => {
      await sleep(500);
      await stopPart('replica');
      await sleep(2_000);
      await startStackReplica();
      await sleep(500);
    });
    expect(outcomes.length).toBeGreaterThan(50);
    expect(failures(outcomes)).toEqual([]);
    await expectNothingLost();
  });

  it('the primary stopped and restarted: only 503 with Retry-After while it is down, nothing lost', async () => {
    let down = 0;
    let up = 0;
    const outcomes = await stream(async () => {
      await sleep(500);
      await stopPart('primary');
      down = Date.now();
      await sleep(6_000);
      up = Date.now();
      await startPart('primary');
      await sleep(2_000);
    });
    const failed = failures(outcomes);
    expect(failed.length).toBeGreaterThan(0);
    for (const outcome of failed) {
      expect(outcome.status).toBe(503);
      expect(outcome.retryAfter).not.toBeNull();
    }
    // Once the replica had replayed the last write (3 s), reads were served while the primary was down.
    const servedWhileDown = outcomes.filter(
      (outcome) =>
        outcome.op !== 'create' && outcome.status === 200 && outcome.at > down + 3_500 && outcome.at < up,
    );
    expect(servedWhileDown.length).toBeGreaterThan(0);
    // And after the restart, requests succeed again.
    const tail = outcomes.slice(-12);
    expect(failures(tail)).toEqual([]);
    await expectNothingLost();
  });
});
