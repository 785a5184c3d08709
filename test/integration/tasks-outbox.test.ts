/**
 * The transactional outbox (API.md, Side effects): a created task records
 * exactly one `task.created` event with it, shaped as the contract says and
 * carrying the creating request's id; a replay or a refused create records
 * nothing more.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskCreatedEventSchema } from '../../src/modules/tasks/tasks.events.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { createTask, subOf } from '../support/task-helpers.ts';

let api: RunningApi;
let db: pg.Pool;

const ajv = new Ajv({ allErrors: true });
addFormats.default(ajv, ['date-time', 'uuid']);
const isTaskCreatedEvent = ajv.compile(TaskCreatedEventSchema);

beforeAll(async () => {
  api = await startApi();
  db = new pg.Pool({ connectionString: api.database.url, max: 2 });
});

afterAll(async () => {
  await db.end();
  await api.close();
});

async function eventsOf(taskId: string) {
  const { rows } = await db.query<{ event_id: string; type: string; payload: Record<string, unknown> }>(
    `SELECT event_id, type, payload FROM outbox WHERE payload->>'task_id' = $1`,
    [taskId],
  );
  return rows;
}

describe('task.created in the outbox', () => {
  it('a created task records exactly one event, as the contract shapes it, with the request id', async () => {
    const task = await createTask(api, 'bob', { title: 'notify me' }, { 'x-request-id': 'req-outbox-1' });
    const events = await eventsOf(task.id);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(isTaskCreatedEvent(event?.payload), JSON.stringify(isTaskCreatedEvent.errors)).toBe(true);
    expect(event?.payload).toEqual({
      version: 1,
      event_id: event?.event_id,
      type: 'task.created',
      task_id: task.id,
      owner_id: subOf('bob'),
      owner_email: 'bob@example.test',
      occurred_at: task.created_at,
      request_id: 'req-outbox-1',
    });
  });

  it('an Idempotency-Key replay records no second event', async () => {
    const headers = { 'idempotency-key': 'outbox-replay-1' };
    const first = await createTask(api, 'bob', { title: 'once' }, headers);
    const replay = await api.request('bob', 'POST', '/tasks', { json: { title: 'once' }, headers });
    expect(replay.status).toBe(201);
    expect(await eventsOf(first.id)).toHaveLength(1);
  });

  it('a task an admin creates for someone else has no address to notify', async () => {
    const task = await createTask(api, 'alice', { title: 'for dave', owner_id: subOf('dave') });
    const [event] = await eventsOf(task.id);
    expect(event?.payload).toMatchObject({ owner_id: subOf('dave'), owner_email: null });
  });

  it('a refused create records nothing', async () => {
    const { rows: before } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    const refused = await api.request('bob', 'POST', '/tasks', { json: { title: '   ' } });
    expect(refused.status).toBe(422);
    const { rows: after } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});
