/**
 * How `npm start`'s two workers listen (src/start/listen-on-port.ts): where
 * node:net has reusePort (Node.js 22.12 and later, as package.json asks),
 * each worker on ACCEPTS_PER_TURN sockets of its own, so that a busy worker
 * still accepts that many new connections per turn of its event loop; else on
 * node:cluster's one shared socket. Connections taken on any socket are
 * served, a stop finishes the requests in flight on all of them, and a port
 * in use stops the start at once.
 */
import { readdir, readFile, readlink, rm } from 'node:fs/promises';
import { request } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTS_PER_TURN, reusePortAvailable } from '../../src/start/listen-on-port.ts';
import {
  devTokenFor,
  freshStart,
  holdPort,
  type Started,
  spawnStart,
  start,
  workerPidsOf,
} from '../support/npm-start.ts';
import { createTestDatabase, eventually, type TestDatabase } from '../support/test-database.ts';

const folders: string[] = [];
let database: TestDatabase;
let started: Started | undefined;
let baseUrl: string;
let port: number;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const fresh = await freshStart(folders, {
    DATABASE_URL: database.url,
    WEB_CONCURRENCY: '2',
    LOG_LEVEL: 'warn',
  });
  baseUrl = fresh.baseUrl;
  port = Number(fresh.env.PORT);
  started = await start(fresh.env);
  token = await devTokenFor(`${baseUrl}/realms/tasks/protocol/openid-connect/token`, 'bob');
}, 120_000);

afterAll(async () => {
  started?.child.kill('SIGKILL');
  await started?.exited;
  await database?.drop();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** The inode of each socket listening on 127.0.0.1:port (from /proc/net/tcp, state 0A). */
async function listeningInodes(onPort: number): Promise<string[]> {
  const local = `0100007F:${onPort.toString(16).toUpperCase().padStart(4, '0')}`;
  return (await readFile('/proc/net/tcp', 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === local && fields[3] === '0A')
    .map((fields) => fields[9] as string);
}

/** How many of `pid`'s file descriptors are the socket `inode`. */
async function descriptorsOf(pid: number, inode: string): Promise<number> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target === `socket:[${inode}]`).length;
}

/** A GET on a connection of its own (closed after the answer): each may land on any descriptor. */
function getOnNewConnection(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('npm start with two workers', () => {
  it('listens in each worker on ACCEPTS_PER_TURN sockets of its own (one shared socket without reusePort)', async () => {
    const primary = started?.child.pid as number;
    const workers = workerPidsOf(primary);
    expect(workers).toHaveLength(2);
    const sockets = await listeningInodes(port);
    const held = await Promise.all(
      workers.map(async (worker) => Promise.all(sockets.map((inode) => descriptorsOf(worker, inode)))),
    );
    if (reusePortAvailable()) {
      expect(ACCEPTS_PER_TURN).toBeGreaterThan(1);
      expect(sockets).toHaveLength(2 * ACCEPTS_PER_TURN);
      // Each socket in one worker only, ACCEPTS_PER_TURN in each.
      for (const [i] of sockets.entries()) expect(held.map((counts) => counts[i]).sort()).toEqual([0, 1]);
      for (const counts of held) expect(counts.filter((count) => count === 1)).toHaveLength(ACCEPTS_PER_TURN);
    } else {
      expect(sockets).toHaveLength(1);
      expect(held).toEqual([[1], [1]]);
    }
  });

  it('answers 300 connections opened at once', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 300 }, () => getOnNewConnection('/tasks?limit=5')),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it('on a stop, finishes the requests in flight on every connection, then exits', async () => {
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      // Held in flight by a lock on the table their query reads.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
      const inFlight = Array.from({ length: 40 }, (_, i) => getOnNewConnection(`/tasks?limit=${i + 1}`));
      await eventually(async () => {
        const { rows } = await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return (rows[0]?.n ?? 0) >= 1;
      }, 'listings blocked behind the lock');
      // Every request read by then (they go out at once; the lock holds their queries, not them).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      started?.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await locker.query('COMMIT');
      expect((await Promise.all(inFlight)).filter((status) => status !== 200)).toEqual([]);
      expect(await started?.exited).toBe(0);
      started = undefined;
    } finally {
      await locker.end();
    }
  });
});

describe('npm start on a port in use', () => {
  it('stops at once, saying so, before it starts a database', async () => {
    const fresh = await freshStart(folders, { WEB_CONCURRENCY: '2' });
    const held = await holdPort(Number(fresh.env.PORT));
    try {
      const refused = spawnStart(fresh.env);
      expect(await refused.exited).toBe(1);
      expect(refused.output().trim().split('\n').at(-1)).toBe(
        `npm start failed: cannot listen on 127.0.0.1:${fresh.env.PORT} (EADDRINUSE): something else is listening there (stop it, or set PORT)`,
      );
      expect(refused.output()).not.toContain('PostgreSQL');
    } finally {
      held?.close();
    }
  });
});
