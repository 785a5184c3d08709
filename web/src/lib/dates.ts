/**
 * Dates as the person's locale writes them (Intl: no formatting code of our
 * own), in their time zone. A due date chosen without a time of day is
 * stored as the last millisecond of that local day, so "due Friday" becomes
 * overdue only once Friday is over (the API's `overdue` compares with now);
 * a time picked in the form has whole minutes, so the two never mix.
 */
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const monthDayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relativeDayFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDate = (iso: string) => dateFormat.format(new Date(iso));
export const formatDateTime = (iso: string) => dateTimeFormat.format(new Date(iso));

/** The person's time zone, as the due-date fields name it. */
export const timeZoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const DAY_MS = 24 * 3600 * 1000;
const localMidnight = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());

/** Calendar days from one local day to another (a day with a DST change is 23 or 25 hours: rounded). */
export const calendarDaysBetween = (from: Date, to: Date) =>
  Math.round((localMidnight(to).getTime() - localMidnight(from).getTime()) / DAY_MS);

/** Due on a day, at no particular time: the last millisecond of the local day. */
export const isWholeDay = (due: Date) =>
  due.getHours() === 23 &&
  due.getMinutes() === 59 &&
  due.getSeconds() === 59 &&
  due.getMilliseconds() === 999;

const capitalized = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

/**
 * A due date as a planner reads it: "Today", "Tomorrow", "Yesterday",
 * otherwise "Dec 5" (with the year when it is not this one), followed by the
 * time when one was chosen: "Tomorrow, 9:30 AM".
 */
export function formatDue(iso: string, now = new Date()): string {
  const due = new Date(iso);
  const days = calendarDaysBetween(now, due);
  const day =
    Math.abs(days) <= 1
      ? capitalized(relativeDayFormat.format(days, 'day'))
      : (due.getFullYear() === now.getFullYear() ? monthDayFormat : dateFormat).format(due);
  return isWholeDay(due) ? day : `${day}, ${timeFormat.format(due)}`;
}

const pad = (value: number, digits = 2) => String(value).padStart(digits, '0');

/** What the due-date inputs show for a due instant: a local date (YYYY-MM-DD) and time (HH:MM, or '' for none). */
export function dueFieldsOf(iso: string | null): { date: string; time: string } {
  if (iso === null) return { date: '', time: '' };
  const due = new Date(iso);
  const date = `${pad(due.getFullYear(), 4)}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}`;
  return { date, time: isWholeDay(due) ? '' : `${pad(due.getHours())}:${pad(due.getMinutes())}` };
}

/**
 * What is wrong with a due date the API would refuse, in the person's words: a
 * date input takes years up to 275760, and the API's RFC 3339 instants end with
 * the year 9999 (its own message names the format, not the date).
 */
export function dueDateProblem(iso: string | null): string | undefined {
  if (iso === null) return undefined;
  return new Date(iso).getUTCFullYear() > 9999 ? 'Enter a date up to the year 9999.' : undefined;
}

/** The instant of a local date (YYYY-MM-DD) and an optional time (HH:MM); null without a valid date. */
export function dueAtOf(date: string, time: string): string | null {
  const [year, month, day] = date.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return null;
  const [hours, minutes] = time ? time.split(':').map(Number) : [];
  const due = time
    ? new Date(2000, month - 1, day, hours, minutes)
    : new Date(2000, month - 1, day, 23, 59, 59, 999);
  // Set apart: the Date constructor reads years 0-99 as 1900-1999.
  due.setFullYear(year, month - 1, day);
  return Number.isNaN(due.getTime()) ? null : due.toISOString();
}
