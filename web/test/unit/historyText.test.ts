import { describe, expect, it } from 'vitest';
import { fieldLabelOf, isShownChange, valueText } from '../../src/task/historyText.ts';

const ownerName = (sub: string) => (sub === 'bob-sub' ? 'bob (you)' : 'someone else');

describe('a history entry in words', () => {
  it('names statuses and priorities as the controls do, owners as the reader knows them', () => {
    expect(valueText('status', 'in_progress', ownerName)).toBe('In progress');
    expect(valueText('priority', 'urgent', ownerName)).toBe('Urgent');
    expect(valueText('priority', 'none', ownerName)).toBe('No priority');
    expect(valueText('owner_id', 'bob-sub', ownerName)).toBe('bob (you)');
    expect(valueText('labels', ['finance', 'q4'], ownerName)).toBe('finance, q4');
    expect(valueText('labels', [], ownerName)).toBe('none');
  });

  it('shortens a long description and names a field it does not know by its words', () => {
    expect(valueText('description', 'x'.repeat(200), ownerName)).toBe(`${'x'.repeat(160)}…`);
    expect(fieldLabelOf('estimate_hours')).toBe('Estimate hours');
  });

  it('lists what a creation set, and leaves out completed_at and the fields of a deletion', () => {
    expect(isShownChange('task.created', 'priority', { before: null, after: 'none' })).toBe(false);
    expect(isShownChange('task.created', 'title', { before: null, after: 'Pay' })).toBe(true);
    expect(
      isShownChange('task.updated', 'completed_at', { before: null, after: '2026-12-03T10:00:00Z' }),
    ).toBe(false);
    expect(isShownChange('task.deleted', 'title', { before: 'Pay', after: null })).toBe(false);
  });
});
