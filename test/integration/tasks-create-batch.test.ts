/**
 * Creates batched per turn of the event loop (tasks.create-batch.ts), on a
 * real database: creates requested together are stored together, each with
 * its own answer and its own outbox event in order; one create the
 * database refuses fails alone, and the others of its batch are stored.
 */
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { batchedCreates } from '../../src/modules/tasks/tasks.create-batch.ts';
import type { NewTaskWithEvent } from '../../src/modules/tasks/tasks.repository.ts';
import { useTestDatabase } from '../support/test-database.ts';

const database = useTestDatabase();

const item = (title: string): NewTaskWithEvent => ({
  task: {
    id: uuidv7(),
    title,
    description: null,
    status: 'todo',
    owner_id: 'owner-1',
    due_at: null,
    priority: 'none',
    labels: [],
  },
  event: {
    eventId: uuidv7(),
    requestId: `req-${title}`,
    actorId: 'owner-1',
    ownerEmail: 'owner@example.test',
  },
});

const outboxOf = async (taskIds: string[]) =>
  (
    await database.db.primary.query<{ task_id: string; request_id: string }>(
      `SELECT payload->>'task_id' AS task_id, payload->>'request_id' AS request_id FROM outbox
        WHERE payload->>'task_id' = ANY($1) ORDER BY id`,
      [taskIds],
    )
  ).rows;

describe('batched creates', () => {
  it('creates requested together are stored in one statement, each answered with its own task and event', async () => {
    const create = batchedCreates(database.db);
    const items = Array.from({ length: 25 }, (_, i) => item(`together ${i}`));
    const created = await Promise.all(items.map(create));
    expect(created.map(({ result }) => result.id)).toEqual(items.map(({ task }) => task.id));
    expect(created.map(({ result }) => result.title)).toEqual(items.map(({ task }) => task.title));
    // One statement: one transaction, so one creation time for all of them.
    expect(new Set(created.map(({ result }) => result.created_at)).size).toBe(1);
    expect(await outboxOf(items.map(({ task }) => task.id))).toEqual(
      items.map(({ task }) => ({ task_id: task.id, request_id: `req-${task.title}` })),
    );
  });

  it('a create the database refuses fails alone; the rest of its batch is stored', async () => {
    const create = batchedCreates(database.db);
    const good = [item('first'), item('second')];
    const bad = item('x'.repeat(201)); // breaks the title CHECK: the batch statement fails
    const outcomes = await Promise.allSettled([
      create(good[0] as NewTaskWithEvent),
      create(bad),
      create(good[1] as NewTaskWithEvent),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await database.db.primary.query<{ id: string }>(
      'SELECT id FROM tasks WHERE id = ANY($1)',
      [[...good, bad].map(({ task }) => task.id)],
    );
    expect(stored.rows.map((row) => row.id).sort()).toEqual(good.map(({ task }) => task.id).sort());
    expect(await outboxOf([bad.task.id])).toEqual([]);
  });
});
