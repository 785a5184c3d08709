import { describe, expect, it } from 'vitest';
import { addLabels, isOverdue, MAX_LABELS, sameLabels } from '../../src/lib/planning.ts';

describe('adding labels as they are typed', () => {
  it('trims, and splits on commas (a label cannot hold one)', () => {
    expect(addLabels(['bug'], '  ui , backend,')).toEqual({ labels: ['bug', 'ui', 'backend'] });
  });

  it('does not add a label twice in another case, and says so', () => {
    const result = addLabels(['Bug'], 'bug');
    expect(result.labels).toEqual(['Bug']);
    expect(result.problem).toBe('“bug” is already there (labels are the same in any case).');
  });

  it('refuses a label over 50 characters and a 21st label, adding the rest', () => {
    const long = 'x'.repeat(51);
    expect(addLabels([], `${long},ok`)).toEqual({
      labels: ['ok'],
      problem: `A label has at most 50 characters; “${long}” has 51.`,
    });
    const full = Array.from({ length: MAX_LABELS }, (_, index) => `l${index}`);
    expect(addLabels(full, 'one-more').labels).toHaveLength(MAX_LABELS);
    expect(addLabels(full, 'one-more').problem).toMatch(/at most 20 labels/);
  });

  it('adds nothing for blank text', () => {
    expect(addLabels(['a'], ' , ')).toEqual({ labels: ['a'] });
  });

  it('compares sets whatever their order', () => {
    expect(sameLabels(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameLabels(['a'], ['a', 'b'])).toBe(false);
    expect(sameLabels(['a'], ['A'])).toBe(false);
  });
});

describe('overdue', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it('is an open task past its due time', () => {
    expect(isOverdue({ due_at: '2026-12-03T11:59:59Z', status: 'todo' }, now)).toBe(true);
    expect(isOverdue({ due_at: '2026-12-03T11:59:59Z', status: 'in_progress' }, now)).toBe(true);
  });
  it('is never a done task, a task due later, or one without a due date', () => {
    expect(isOverdue({ due_at: '2026-12-01T00:00:00Z', status: 'done' }, now)).toBe(false);
    expect(isOverdue({ due_at: '2026-12-03T12:00:01Z', status: 'todo' }, now)).toBe(false);
    expect(isOverdue({ due_at: null, status: 'todo' }, now)).toBe(false);
  });
});
