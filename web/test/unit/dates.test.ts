import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, dueAtOf, dueDateProblem, dueFieldsOf, formatDue } from '../../src/lib/dates.ts';

// Local times throughout: the app works in the person's time zone, whichever the test runs in.
const now = new Date(2026, 11, 3, 10, 0);

describe('due dates as a planner reads them', () => {
  it('says Today, Tomorrow and Yesterday for the days next to today', () => {
    expect(formatDue(dueAtOf('2026-12-03', '') ?? '', now)).toBe('Today');
    expect(formatDue(dueAtOf('2026-12-04', '') ?? '', now)).toBe('Tomorrow');
    expect(formatDue(dueAtOf('2026-12-02', '') ?? '', now)).toBe('Yesterday');
  });

  it('gives the time only when one was chosen', () => {
    const withTime = formatDue(dueAtOf('2026-12-04', '09:30') ?? '', now);
    expect(withTime).toMatch(/^Tomorrow, 0?9:30/);
    expect(formatDue(dueAtOf('2026-12-03', '23:59') ?? '', now)).toMatch(/^Today, (11:59|23:59)/);
  });

  it('gives the month and day further away, and the year only when it is not this one', () => {
    const later = formatDue(dueAtOf('2026-12-25', '') ?? '', now);
    expect(later).toMatch(/25/);
    expect(later).not.toMatch(/2026|Today|Tomorrow/);
    expect(formatDue(dueAtOf('2027-01-05', '') ?? '', now)).toMatch(/2027/);
  });

  it('counts calendar days, not 24-hour spans', () => {
    expect(calendarDaysBetween(new Date(2026, 11, 3, 23, 59), new Date(2026, 11, 4, 0, 1))).toBe(1);
    expect(calendarDaysBetween(new Date(2026, 11, 3, 0, 1), new Date(2026, 11, 3, 23, 59))).toBe(0);
    expect(calendarDaysBetween(new Date(2026, 11, 3), new Date(2026, 10, 26))).toBe(-7);
  });
});

describe('the due-date inputs and the instant the API stores', () => {
  it('a day without a time is due at the last millisecond of that local day', () => {
    const due = new Date(dueAtOf('2026-12-05', '') ?? '');
    expect([
      due.getDate(),
      due.getHours(),
      due.getMinutes(),
      due.getSeconds(),
      due.getMilliseconds(),
    ]).toEqual([5, 23, 59, 59, 999]);
    expect(dueFieldsOf(due.toISOString())).toEqual({ date: '2026-12-05', time: '' });
  });

  it('a chosen time comes back as chosen, 23:59 included', () => {
    for (const time of ['00:00', '09:30', '23:59']) {
      expect(dueFieldsOf(dueAtOf('2026-12-05', time))).toEqual({ date: '2026-12-05', time });
    }
  });

  it('keeps years below 100 (the Date constructor would read 0099 as 1999)', () => {
    expect(dueFieldsOf(dueAtOf('0099-01-01', ''))).toEqual({ date: '0099-01-01', time: '' });
  });

  it('keeps a year past 9999 as typed, and says the API stops at 9999', () => {
    const typed = dueAtOf('20266-01-01', '');
    expect(dueFieldsOf(typed)).toEqual({ date: '20266-01-01', time: '' });
    expect(dueDateProblem(typed)).toBe('Enter a date up to the year 9999.');
    expect(dueDateProblem(dueAtOf('9999-06-30', ''))).toBeUndefined();
    expect(dueDateProblem(null)).toBeUndefined();
  });

  it('has no due date without a day, or for a value that is not one', () => {
    expect(dueAtOf('', '')).toBeNull();
    expect(dueAtOf('', '09:00')).toBeNull();
    expect(dueAtOf('not-a-day', '')).toBeNull();
    expect(dueFieldsOf(null)).toEqual({ date: '', time: '' });
  });
});
