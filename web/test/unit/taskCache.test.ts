import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../src/api/events.ts';
import type { Task, TaskFilters } from '../../src/api/types.ts';
import { applyEvent, boardView, listView, taskOfCreation, viewAfter } from '../../src/live/taskCache.ts';

const bob = { sub: 'bob', seesEveryone: false };
const admin = { sub: 'alice', seesEveryone: true };

const task = (id: string, fields: Partial<Task> = {}): Task => ({
  id,
  title: `Task ${id}`,
  description: null,
  status: 'todo',
  owner_id: 'bob',
  created_at: '2026-01-01T10:00:00.000Z',
  updated_at: '2026-01-01T10:00:00.000Z',
  version: 1,
  due_at: null,
  priority: 'none',
  labels: [],
  completed_at: null,
  ...fields,
});

const event = (
  type: TaskEvent['type'],
  id: string,
  version: number,
  changes: TaskEvent['changes'],
  owner = 'bob',
): TaskEvent => ({
  event_id: `e-${id}-${version}`,
  type,
  task_id: id,
  task_version: version,
  owner_id: owner,
  actor_id: 'alice',
  occurred_at: '2026-01-02T10:00:00.000Z',
  changes,
});

const moved = (id: string, version: number, from: Task['status'], to: Task['status']) =>
  event('task.updated', id, version, { status: { before: from, after: to } });

const created = (id: string, owner = 'bob') =>
  event(
    'task.created',
    id,
    1,
    {
      title: { before: null, after: `New ${id}` },
      description: { before: null, after: null },
      status: { before: null, after: 'todo' },
      owner_id: { before: null, after: owner },
      due_at: { before: null, after: '2026-02-01T09:00:00+00:00' },
    },
    owner,
  );

const filters = (more: Partial<TaskFilters> = {}): TaskFilters => ({
  status: [],
  sort: '-created_at',
  ...more,
});

describe('an event applied to a task held by a view', () => {
  it('applies the changes to the version just before it, timestamps as the API writes them', () => {
    const next = applyEvent(
      task('a'),
      event('task.updated', 'a', 2, { due_at: { before: null, after: '2026-03-01T08:30:00+00:00' } }),
    );
    expect(next).toMatchObject({
      version: 2,
      due_at: '2026-03-01T08:30:00.000Z',
      updated_at: '2026-01-02T10:00:00.000Z',
    });
  });

  it('leaves a task already at that version alone (its own write, a replay), and names a missed change', () => {
    expect(applyEvent(task('a', { version: 2 }), moved('a', 2, 'todo', 'done'))).toBe('current');
    expect(applyEvent(task('a'), moved('a', 3, 'todo', 'done'))).toBe('gap');
    expect(applyEvent(task('a'), event('task.deleted', 'a', 5, {}))).toBeNull();
  });

  it('builds a created task from its event', () => {
    expect(taskOfCreation(created('n'))).toEqual({
      id: 'n',
      version: 1,
      title: 'New n',
      description: null,
      status: 'todo',
      owner_id: 'bob',
      due_at: '2026-02-01T09:00:00.000Z',
      created_at: '2026-01-02T10:00:00.000Z',
      updated_at: '2026-01-02T10:00:00.000Z',
    });
  });
});

describe('the board', () => {
  const board = [[task('a'), task('b', { status: 'done' })]];

  it('moves a card another session moved, to the front of its new column', () => {
    const update = viewAfter(board, moved('b', 2, 'done', 'in_progress'), boardView(bob), false);
    expect(update).not.toBe('refetch');
    const [tasks] = update as Task[][];
    expect(tasks?.map((t) => [t.id, t.status, t.version])).toEqual([
      ['b', 'in_progress', 2],
      ['a', 'todo', 1],
    ]);
  });

  it('adds a created task first, drops a deleted one, and drops one handed to someone else', () => {
    expect((viewAfter(board, created('n'), boardView(bob), false) as Task[][])[0]?.map((t) => t.id)).toEqual([
      'n',
      'a',
      'b',
    ]);
    expect(
      (viewAfter(board, event('task.deleted', 'a', 2, {}), boardView(bob), false) as Task[][])[0]?.map(
        (t) => t.id,
      ),
    ).toEqual(['b']);
    const handedAway = event('task.updated', 'a', 2, { owner_id: { before: 'bob', after: 'dave' } }, 'dave');
    expect((viewAfter(board, handedAway, boardView(bob), false) as Task[][])[0]?.map((t) => t.id)).toEqual([
      'b',
    ]);
  });

  it('refetches when it missed a change or a task it does not hold became visible; ignores what it cannot see', () => {
    expect(viewAfter(board, moved('a', 3, 'todo', 'done'), boardView(bob), false)).toBe('refetch');
    const handedToBob = event('task.updated', 'z', 4, { owner_id: { before: 'dave', after: 'bob' } });
    expect(viewAfter(board, handedToBob, boardView(bob), false)).toBe('refetch');
    expect(viewAfter(board, created('d', 'dave'), boardView(bob), false)).toBe('unchanged');
    expect((viewAfter(board, created('d', 'dave'), boardView(admin), false) as Task[][])[0]?.[0]?.id).toBe(
      'd',
    );
  });
});

describe('a listing', () => {
  const pages = [[task('a'), task('b')], [task('c', { status: 'done' })]];

  it('puts a created task first when newest first, and only where the filters let it in', () => {
    expect(
      (viewAfter(pages, created('n'), listView(filters(), bob), false) as Task[][]).map((p) =>
        p.map((t) => t.id),
      ),
    ).toEqual([['n', 'a', 'b'], ['c']]);
    expect(viewAfter(pages, created('n'), listView(filters({ status: ['done'] }), bob), false)).toBe(
      'unchanged',
    );
    expect(
      viewAfter(
        pages,
        created('n'),
        listView(filters({ created_before: '2026-01-02T00:00:00.000Z' }), bob),
        false,
      ),
    ).toBe('unchanged');
  });

  it('oldest first: a created task goes last once the last page is held, else waits for its page', () => {
    const oldestFirst = listView(filters({ sort: 'created_at' }), bob);
    expect(viewAfter(pages, created('n'), oldestFirst, false)).toBe('unchanged');
    expect((viewAfter(pages, created('n'), oldestFirst, true) as Task[][])[1]?.map((t) => t.id)).toEqual([
      'c',
      'n',
    ]);
  });

  it('leaves the server a text search or a filter the app cannot check', () => {
    expect(viewAfter(pages, created('n'), listView(filters({ q: 'milk' }), bob), false)).toBe('refetch');
  });

  it('updates a task in place, removes it when it leaves the filter, refetches when one may have entered', () => {
    const renamed = event('task.updated', 'c', 2, { title: { before: 'Task c', after: 'Renamed' } });
    expect((viewAfter(pages, renamed, listView(filters(), bob), false) as Task[][])[1]?.[0]?.title).toBe(
      'Renamed',
    );
    const todoOnly = listView(filters({ status: ['todo'] }), bob);
    expect(
      (viewAfter(pages, moved('a', 2, 'todo', 'done'), todoOnly, false) as Task[][])[0]?.map((t) => t.id),
    ).toEqual(['b']);
    expect(viewAfter(pages, moved('z', 2, 'done', 'todo'), todoOnly, false)).toBe('refetch');
    expect(viewAfter(pages, renamed, listView(filters(), bob), false)).not.toBe('refetch');
    expect(
      viewAfter(
        pages,
        event('task.updated', 'z', 2, { title: { before: 'x', after: 'y' } }),
        todoOnly,
        false,
      ),
    ).toBe('unchanged');
  });

  it('sorted by last change: a changed task moves to the top', () => {
    const recent = listView(filters({ sort: '-updated_at' }), bob);
    expect(
      (viewAfter(pages, moved('c', 2, 'done', 'todo'), recent, true) as Task[][]).map((p) =>
        p.map((t) => t.id),
      ),
    ).toEqual([['c', 'a', 'b'], []]);
  });
});
