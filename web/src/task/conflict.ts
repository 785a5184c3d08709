/**
 * A 412 on save: someone changed the task after this person started
 * editing. What they changed is compared field by field: the person keeps
 * their version (saved over the new one, If-Match its version) or takes the
 * other (their edits dropped).
 */
import type { Task, TaskInput, TaskPatch } from '../api/types.ts';
import { sameLabels } from '../lib/planning.ts';

export const EDITABLE_FIELDS = [
  'title',
  'description',
  'status',
  'due_at',
  'priority',
  'labels',
] as const satisfies readonly (keyof TaskInput)[];
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export const inputOf = (task: Task): TaskInput => ({
  title: task.title,
  description: task.description,
  status: task.status,
  due_at: task.due_at,
  priority: task.priority,
  labels: task.labels,
});

/** Labels are a set (any order), a due date an instant (any RFC 3339 spelling of it). */
function sameValue(field: EditableField, a: TaskInput[EditableField], b: TaskInput[EditableField]): boolean {
  if (field === 'labels') return sameLabels(a as string[], b as string[]);
  if (field === 'due_at' && typeof a === 'string' && typeof b === 'string')
    return Date.parse(a) === Date.parse(b);
  return a === b;
}

/** The fields the person changed from the version they started with. */
export function changesOf(base: TaskInput, mine: TaskInput): TaskPatch {
  const patch: TaskPatch = {};
  for (const field of EDITABLE_FIELDS) {
    if (!sameValue(field, mine[field], base[field])) Object.assign(patch, { [field]: mine[field] });
  }
  return patch;
}

export interface FieldConflict {
  field: EditableField;
  mine: TaskInput[EditableField];
  theirs: TaskInput[EditableField];
}

/** The fields the other change touched, next to what this person has for them. */
export function conflictsOf(base: TaskInput, mine: TaskInput, theirs: Task): FieldConflict[] {
  return EDITABLE_FIELDS.filter((field) => !sameValue(field, theirs[field], base[field])).map((field) => ({
    field,
    mine: mine[field],
    theirs: theirs[field],
  }));
}

/**
 * "Keep mine": this person's changes on top of the saved version, to be
 * saved against that version. Fields they did not touch keep the other's values.
 */
export function rebasedEdit(base: TaskInput, mine: TaskInput, theirs: Task): { base: Task; mine: TaskInput } {
  return { base: theirs, mine: { ...inputOf(theirs), ...changesOf(base, mine) } };
}
