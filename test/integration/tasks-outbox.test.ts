/**
 * The transactional outbox (docs/events.md): every write records exactly
 * one event with it (`task.created`, `task.updated` with each changed field
 * before and after, `task.deleted`), shaped as the contract says, carrying
 * the actor and the request's id, in order per task; a replay, a write that
 * changes nothing or a refused write records nothing more.
 */
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../src/http/validator-compiler.ts';
import { TaskEventSchema } from '../../src/modules/tasks/tasks.events.ts';
import { useApiWithDatabase } from '../support/api-harness.ts';
import { createTask, subOf } from '../support/task-helpers.ts';

const running = useApiWithDatabase();

const isTaskEvent = createAjv().compile(TaskEventSchema);

async function eventsOf(taskId: string) {
  const { rows } = await running.db.query<{
    event_id: string;
    type: string;
    payload: Record<string, unknown>;
  }>(`SELECT event_id, type, payload FROM outbox WHERE payload->>'task_id' = $1 ORDER BY id`, [taskId]);
  return rows;
}

describe('task.created in the outbox', () => {
  it('a created task records exactly one event, as the contract shapes it, with the request id', async () => {
    const task = await createTask(
      running.api,
      'bob',
      { title: 'notify me' },
      { 'x-request-id': 'req-outbox-1' },
    );
    const events = await eventsOf(task.id);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(isTaskEvent(event?.payload), JSON.stringify(isTaskEvent.errors)).toBe(true);
    expect(event?.payload).toEqual({
      version: 2,
      event_id: event?.event_id,
      type: 'task.created',
      task_id: task.id,
      task_version: 1,
      owner_id: subOf('bob'),
      actor_id: subOf('bob'),
      owner_email: 'bob@example.test',
      occurred_at: task.created_at,
      request_id: 'req-outbox-1',
      changes: {
        title: { before: null, after: 'notify me' },
        description: { before: null, after: null },
        status: { before: null, after: 'todo' },
        owner_id: { before: null, after: subOf('bob') },
        due_at: { before: null, after: null },
        priority: { before: null, after: 'none' },
        labels: { before: null, after: [] },
        completed_at: { before: null, after: null },
      },
    });
  });

  it('an Idempotency-Key replay records no second event', async () => {
    const headers = { 'idempotency-key': 'outbox-replay-1' };
    const first = await createTask(running.api, 'bob', { title: 'once' }, headers);
    const replay = await running.api.request('bob', 'POST', '/tasks', { json: { title: 'once' }, headers });
    expect(replay.status).toBe(201);
    expect(await eventsOf(first.id)).toHaveLength(1);
  });

  it('a task an admin creates for someone else has no address to notify', async () => {
    const task = await createTask(running.api, 'alice', { title: 'for dave', owner_id: subOf('dave') });
    const [event] = await eventsOf(task.id);
    expect(event?.payload).toMatchObject({ owner_id: subOf('dave'), owner_email: null });
  });

  it('a refused create records nothing', async () => {
    const { rows: before } = await running.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    const refused = await running.api.request('bob', 'POST', '/tasks', { json: { title: '   ' } });
    expect(refused.status).toBe(422);
    const { rows: after } = await running.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('task.updated and task.deleted in the outbox', () => {
  it('a PATCH records one event with only the changed fields, before and after, and its actor', async () => {
    const task = await createTask(running.api, 'bob', { title: 'first', description: 'keep' });
    const patched = await running.api.request('bob', 'PATCH', `/tasks/${task.id}`, {
      json: { title: 'second', status: 'in_progress' },
      headers: { 'x-request-id': 'req-outbox-patch' },
    });
    expect(patched.status).toBe(200);
    const [, event] = await eventsOf(task.id);
    expect(isTaskEvent(event?.payload), JSON.stringify(isTaskEvent.errors)).toBe(true);
    expect(event?.payload).toMatchObject({
      type: 'task.updated',
      task_version: 2,
      actor_id: subOf('bob'),
      owner_id: subOf('bob'),
      owner_email: null,
      request_id: 'req-outbox-patch',
      occurred_at: ((await patched.json()) as { updated_at: string }).updated_at,
      changes: {
        title: { before: 'first', after: 'second' },
        status: { before: 'todo', after: 'in_progress' },
      },
    });
    expect(Object.keys(event?.payload.changes as object).sort()).toEqual(['status', 'title']);
  });

  it("an admin's change of owner names the admin as actor and the new owner as owner", async () => {
    const task = await createTask(running.api, 'bob', { title: 'hand over' });
    const put = await running.api.request('alice', 'PUT', `/tasks/${task.id}`, {
      json: { title: 'hand over', owner_id: subOf('dave') },
    });
    expect(put.status).toBe(200);
    const [, event] = await eventsOf(task.id);
    expect(event?.payload).toMatchObject({
      type: 'task.updated',
      actor_id: subOf('alice'),
      owner_id: subOf('dave'),
      changes: { owner_id: { before: subOf('bob'), after: subOf('dave') } },
    });
  });

  it('a write that changes nothing records no event', async () => {
    const task = await createTask(running.api, 'bob', { title: 'same' });
    const put = await running.api.request('bob', 'PUT', `/tasks/${task.id}`, { json: { title: 'same' } });
    expect(put.status).toBe(200);
    expect(await eventsOf(task.id)).toHaveLength(1);
  });

  it('a DELETE records one task.deleted with the last values and the next version', async () => {
    const task = await createTask(running.api, 'bob', { title: 'to go', status: 'done' });
    const deleted = await running.api.request('bob', 'DELETE', `/tasks/${task.id}`, {
      headers: { 'x-request-id': 'req-outbox-delete' },
    });
    expect(deleted.status).toBe(204);
    const events = await eventsOf(task.id);
    expect(events.map((event) => event.type)).toEqual(['task.created', 'task.deleted']);
    expect(isTaskEvent(events[1]?.payload), JSON.stringify(isTaskEvent.errors)).toBe(true);
    expect(events[1]?.payload).toMatchObject({
      task_version: 2,
      actor_id: subOf('bob'),
      request_id: 'req-outbox-delete',
      changes: { title: { before: 'to go', after: null }, status: { before: 'done', after: null } },
    });
  });

  it('concurrent changes of one task are recorded in version order, one event each', async () => {
    const task = await createTask(running.api, 'bob', { title: 'race' });
    const writes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        running.api.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { title: `race ${i}` } }),
      ),
    );
    expect(writes.map((response) => response.status)).toEqual(Array(8).fill(200));
    const versions = (await eventsOf(task.id)).map((event) => event.payload.task_version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a refused change or delete records nothing', async () => {
    const task = await createTask(running.api, 'bob', { title: 'guarded' });
    const stale = await running.api.request('bob', 'PATCH', `/tasks/${task.id}`, {
      json: { title: 'x' },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    const foreign = await running.api.request('dave', 'DELETE', `/tasks/${task.id}`);
    expect(foreign.status).toBe(404);
    expect(await eventsOf(task.id)).toHaveLength(1);
  });
});
