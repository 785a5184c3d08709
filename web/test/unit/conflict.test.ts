import { describe, expect, it } from 'vitest';
import type { Task, TaskInput } from '../../src/api/types.ts';
import { changesOf, conflictsOf, rebasedEdit } from '../../src/task/conflict.ts';

const base: TaskInput = {
  title: 'Report',
  description: null,
  status: 'todo',
  due_at: '2026-12-05T22:59:59.999Z',
  priority: 'none',
  labels: ['a', 'b'],
};

/** The version someone else saved: the base with their change, one version on. */
const savedByOther = (change: Partial<Task>): Task => ({
  ...base,
  id: 't',
  owner_id: 'o',
  completed_at: null,
  created_at: '',
  updated_at: '',
  version: 2,
  ...change,
});

describe('a 412 on save', () => {
  it('sends only the fields the person changed', () => {
    expect(changesOf(base, { ...base, title: 'Report v2' })).toEqual({ title: 'Report v2' });
  });

  it('shows the fields the other change touched, next to the person’s own', () => {
    const mine = { ...base, title: 'Mine' };
    expect(conflictsOf(base, mine, savedByOther({ title: 'Theirs', status: 'done' }))).toEqual([
      { field: 'title', mine: 'Mine', theirs: 'Theirs' },
      { field: 'status', mine: 'todo', theirs: 'done' },
    ]);
  });

  it('keeping mine saves only the person’s changes over the saved version, against its version', () => {
    const theirs = savedByOther({ description: 'Budget: 2,000 EUR' });
    const rebased = rebasedEdit(base, { ...base, title: 'Mine' }, theirs);
    expect(rebased.base.version).toBe(2);
    expect(rebased.mine).toEqual({ ...base, title: 'Mine', description: 'Budget: 2,000 EUR' });
    expect(changesOf({ ...base, description: 'Budget: 2,000 EUR' }, rebased.mine)).toEqual({ title: 'Mine' });
  });
});

describe('saving planning fields', () => {
  it('sends the fields changed, labels as the whole new set, a cleared due date as null', () => {
    expect(changesOf(base, { ...base, priority: 'high', labels: ['a', 'b', 'c'], due_at: null })).toEqual({
      priority: 'high',
      labels: ['a', 'b', 'c'],
      due_at: null,
    });
  });

  it('sends nothing for the same set in another order, or the same instant spelt otherwise', () => {
    expect(changesOf(base, { ...base, labels: ['b', 'a'], due_at: '2026-12-05T23:59:59.999+01:00' })).toEqual(
      {},
    );
  });

  it('shows a label or priority someone else changed as a conflict', () => {
    expect(conflictsOf(base, base, savedByOther({ labels: ['a'], priority: 'urgent' }))).toEqual([
      { field: 'priority', mine: 'none', theirs: 'urgent' },
      { field: 'labels', mine: ['a', 'b'], theirs: ['a'] },
    ]);
  });
});
