/**
 * Faults in the background work, with the worker as its own process
 * (`src/worker.ts`, as `npm run worker` runs it), a RabbitMQ node of the
 * test's own and a real SMTP server:
 * - RabbitMQ stopped in the middle of 1,000 creates: every create still
 *   succeeds (the outbox holds the events), and once the broker is back every
 *   owner gets exactly one e-mail.
 * - The worker killed with SIGKILL in the middle of a batch, then started
 *   again: every event is handled; an e-mail is repeated only for a message
 *   the worker had in hand (at most its prefetch), and the copies are counted.
 * Counts are checked against the database (outbox, processed_events).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFETCH } from '../../src/background/rabbitmq/rabbitmq-consumer.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { linkedTaskIds } from '../support/mail-links.ts';
import { type PrivateRabbit, startPrivateRabbit } from '../support/private-rabbitmq.ts';
import { freePort } from '../support/private-redis.ts';
import { type SmtpFixture, startSmtpFixture } from '../support/smtp-fixture.ts';
import { createTask } from '../support/task-helpers.ts';
import { databaseFor, eventually } from '../support/test-database.ts';

let api: RunningApi;
let db: Database;
let rabbit: PrivateRabbit;
let smtp: SmtpFixture;
let worker: ChildProcess | undefined;
let workerOutput = '';

async function startWorker(): Promise<void> {
  const metricsPort = await freePort();
  workerOutput = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: api.database.url,
      AMQP_URL: rabbit.url,
      SMTP_URL: smtp.url,
      WORKER_RETRY_BASE_MS: '200',
      WORKER_METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // The mails counted here are the tasks' own: no daily digest among them.
      DIGEST_SEND_AT: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    workerOutput = (workerOutput + chunk).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  worker = child;
  await eventually(
    async () =>
      fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
        (response) => response.ok,
        () => false,
      ),
    `the worker answering /healthz on its metrics port (output: ${workerOutput})`,
    30_000,
  );
}

async function killWorker(signal: NodeJS.Signals): Promise<void> {
  const running = worker;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill(signal);
  await exited;
}

/** Creates `count` tasks through the API, `concurrency` at a time; every create must be a 201. */
async function createTasks(count: number, label: string, concurrency = 10): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < count) {
      next += 1;
      ids.push((await createTask(api, 'bob', { title: `${label} ${next}` })).id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return ids;
}

/** E-mails received per task id, for the given tasks (a mail links to its task's page). */
function mailsPerTask(taskIds: string[]): Map<string, number> {
  const wanted = new Set(taskIds);
  const counts = new Map<string, number>();
  for (const mail of smtp.received)
    for (const taskId of linkedTaskIds(mail.raw))
      if (wanted.has(taskId)) counts.set(taskId, (counts.get(taskId) ?? 0) + 1);
  return counts;
}

async function countWhere(sql: string, taskIds: string[]): Promise<number> {
  const { rows } = await db.primary.query<{ count: string }>(sql, [taskIds]);
  return Number(rows[0]?.count);
}
const pendingEvents = (taskIds: string[]) =>
  countWhere(
    `SELECT count(*) FROM outbox WHERE published_at IS NULL AND (payload->>'task_id')::uuid = ANY($1::uuid[])`,
    taskIds,
  );
const processedEvents = (taskIds: string[]) =>
  countWhere(
    `SELECT count(*) FROM processed_events p JOIN outbox o USING (event_id)
      WHERE (o.payload->>'task_id')::uuid = ANY($1::uuid[])`,
    taskIds,
  );

async function everyTaskMailed(taskIds: string[]): Promise<void> {
  await eventually(
    () => mailsPerTask(taskIds).size === taskIds.length,
    `an e-mail for each of ${taskIds.length} tasks (have ${mailsPerTask(taskIds).size}; worker: ${workerOutput.slice(-2_000)})`,
    120_000,
  );
}

beforeAll(async () => {
  api = await startApi();
  db = databaseFor(api.database.url);
  smtp = await startSmtpFixture();
  rabbit = await startPrivateRabbit();
  await startWorker();
});

afterAll(async () => {
  await killWorker('SIGTERM');
  await rabbit?.close();
  await smtp?.close();
  await db?.close();
  await api?.close();
});

describe('background work under faults', () => {
  it('RabbitMQ stopped during 1,000 creates: every create succeeds, every owner gets exactly one e-mail', async () => {
    const beforeOutage = await createTasks(300, 'before the outage');
    await rabbit.stop();
    const duringOutage = await createTasks(700, 'during the outage');
    const created = [...beforeOutage, ...duringOutage];
    // The events of the outage wait in the outbox: nothing could take them.
    const heldBack = await pendingEvents(duringOutage);
    expect(heldBack).toBeGreaterThan(0);

    await rabbit.start();
    await everyTaskMailed(created);
    const perTask = mailsPerTask(created);
    const repeated = [...perTask.values()].filter((count) => count > 1).length;
    console.info(
      `RabbitMQ outage: 1000 created (700 while it was down, ${heldBack} held in the outbox), ` +
        `${perTask.size} tasks mailed, ${repeated} repeated e-mails`,
    );
    expect(repeated).toBe(0);
    await eventually(async () => (await pendingEvents(created)) === 0, 'the outbox relayed in full');
    expect(await processedEvents(created)).toBe(created.length);
  }, 240_000);

  it('the worker killed with SIGKILL mid-batch: after a restart every event is handled; only messages in hand repeat', async () => {
    const created = await createTasks(600, 'worker crash');
    // Kill it while it is mailing this batch, not before or after.
    await eventually(
      () => mailsPerTask(created).size >= 100,
      'the worker e-mailing the batch before the kill',
      60_000,
    );
    const mailedBeforeKill = mailsPerTask(created).size;
    expect(mailedBeforeKill).toBeLessThan(created.length);
    await killWorker('SIGKILL');

    await startWorker();
    await everyTaskMailed(created);
    const perTask = mailsPerTask(created);
    const repeated = [...perTask.values()].filter((count) => count > 1).length;
    console.info(
      `worker SIGKILL: 600 created, ${mailedBeforeKill} mailed before the kill, ` +
        `${perTask.size} mailed in all, ${repeated} repeated e-mails (bound: prefetch ${DEFAULT_PREFETCH})`,
    );
    expect(repeated).toBeLessThanOrEqual(DEFAULT_PREFETCH);
    await eventually(async () => (await pendingEvents(created)) === 0, 'the outbox relayed in full');
    expect(await processedEvents(created)).toBe(created.length);
  }, 240_000);
});
