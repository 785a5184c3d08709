/**
 * Creates without an Idempotency-Key, batched per turn of the event loop:
 * the creates requested while the API handled one round of ready sockets go
 * to PostgreSQL as one statement (the tasks and their outbox events), one
 * round trip and one commit for all of them (dataloader, dispatched at
 * setImmediate). Each create still gets its own answer. A batch that fails
 * is retried one create at a time, so a create that cannot be stored fails
 * alone and the others are stored.
 */
import DataLoader from 'dataloader';
import type { Committed, Database } from '../../infra/db/database.ts';
import { insertTasksWithEvents, type NewTaskWithEvent } from './tasks.repository.ts';
import type { Task } from './tasks.schemas.ts';

export type CreateTask = (item: NewTaskWithEvent) => Promise<Committed<Task>>;

export function batchedCreates(db: Pick<Database, 'statement'>): CreateTask {
  const insert = async (items: readonly NewTaskWithEvent[]) => {
    const { result, commitLsn } = await db.statement((client) => insertTasksWithEvents(client, items));
    return result.map((task) => ({ result: task, commitLsn }));
  };
  const loader = new DataLoader<NewTaskWithEvent, Committed<Task>>(
    async (items) => {
      try {
        return await insert(items);
      } catch (error) {
        if (items.length === 1) return [error as Error];
        return Promise.all(
          items.map((item) =>
            insert([item]).then(
              ([created]) => created as Committed<Task>,
              (itemError: unknown) => itemError as Error,
            ),
          ),
        );
      }
    },
    { cache: false, maxBatchSize: 100, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
  return (item) => loader.load(item);
}
