import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/types.ts';
import { columnsOf, confirmMove, moveTask, rollbackMessage } from '../../src/board/moves.ts';

const task = (id: string, status: Task['status'], version = 1): Task => ({
  id,
  title: `Task ${id}`,
  description: null,
  status,
  owner_id: 'b0b0',
  due_at: null,
  priority: 'none',
  labels: [],
  completed_at: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version,
});

describe('optimistic board moves', () => {
  const tasks = [task('a', 'todo'), task('b', 'todo'), task('c', 'done')];

  it('shows the card in its new column at once, first in it, without touching the others', () => {
    const moved = moveTask(tasks, 'b', 'in_progress');
    expect(columnsOf(moved).in_progress.map((t) => t.id)).toEqual(['b']);
    expect(columnsOf(moved).todo.map((t) => t.id)).toEqual(['a']);
    expect(tasks[1]?.status).toBe('todo');
  });

  it('replaces the guess with the server answer (its new version) when the PATCH succeeds', () => {
    const moved = moveTask(tasks, 'a', 'done');
    const confirmed = confirmMove(moved, task('a', 'done', 2));
    expect(confirmed.find((t) => t.id === 'a')?.version).toBe(2);
  });

  it('a move to the same column or of an unknown card changes nothing', () => {
    expect(moveTask(tasks, 'a', 'todo')).toEqual(tasks);
    expect(moveTask(tasks, 'zzz', 'done')).toEqual(tasks);
  });

  it('names the task and the reason when a move is rolled back', () => {
    expect(rollbackMessage('Write report', 412)).toMatch(
      /Write report.*changed by someone else.*back where it was/,
    );
    expect(rollbackMessage('Write report', 503)).toMatch(/could not be moved; it is back where it was/);
    expect(rollbackMessage('Write report', undefined)).toMatch(/could not be moved/);
  });
});
