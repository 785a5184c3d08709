/**
 * A history entry's fields and values in words: "Status To do → In
 * progress", "Owner bob", dates in the reader's locale. Fields the app does
 * not know yet are shown by their name, so a new field appears in the
 * history without a change here.
 */
import type { FieldChange, TaskEventType } from '../api/events.ts';
import { PRIORITY_LABELS, type Priority, STATUS_LABELS, type Status } from '../api/types.ts';
import { formatDateTime } from '../lib/dates.ts';

const LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  owner_id: 'Owner',
  due_at: 'Due',
  priority: 'Priority',
  labels: 'Labels',
};

/** The longest description shown in full in an entry; the rest is on the task itself. */
const MAX_TEXT = 160;

export function fieldLabelOf(field: string): string {
  const words = field.replace(/_/g, ' ');
  return LABELS[field] ?? `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * Which changes an entry lists: a creation the fields it was given, an
 * update every changed field but `completed_at` (the server sets it with the
 * status, which is listed), a deletion none (its fields are all gone).
 */
export function isShownChange(type: TaskEventType, field: string, change: FieldChange): boolean {
  if (field === 'completed_at' || type === 'task.deleted') return false;
  if (type === 'task.created') return !isEmpty(change.after) && change.after !== 'none';
  return true;
}

export function valueText(field: string, value: unknown, ownerName: (sub: string) => string): string {
  if (isEmpty(value)) return 'none';
  if (field === 'status') return STATUS_LABELS[value as Status] ?? String(value);
  if (field === 'priority') return PRIORITY_LABELS[value as Priority] ?? String(value);
  if (field === 'owner_id') return ownerName(String(value));
  if (field.endsWith('_at')) return formatDateTime(String(value));
  if (Array.isArray(value)) return value.join(', ');
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
