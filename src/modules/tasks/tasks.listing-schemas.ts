/**
 * The listing's requests and page: GET /tasks's query (filters, sorts,
 * paging) and the page it answers, beside the task resource's own schemas
 * (tasks.schemas.ts). Like those, they validate, serialize and document.
 */
import { type Static, Type } from 'typebox';
import {
  DATE_TIME_INPUT,
  FILTER_LABEL,
  LABEL_MAX_CHARACTERS,
  MAX_LABELS,
  MIN_SEARCH_CHARACTERS,
  SEARCH_TEXT,
  STORABLE,
  type Task,
  TaskPriorities,
  TaskStatuses,
} from './tasks.schemas.ts';

export const ListSorts = [
  '-created_at',
  'created_at',
  '-updated_at',
  'updated_at',
  'due_at',
  '-due_at',
  'priority',
  '-priority',
] as const;
export const ListSortSchema = Type.Enum(ListSorts, {
  default: '-created_at',
  description:
    '`-` is descending. Ties are broken by id in the same direction. Tasks without a due date come ' +
    'last in both `due_at` and `-due_at`; `priority` goes from none to urgent.',
});
export type ListSort = Static<typeof ListSortSchema>;

export const ListTasksQuerySchema = Type.Object(
  {
    // Optional for the client; Ajv fills in the default, so the handler always has a value.
    skip: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 0,
        maximum: 10_000_000,
        default: 0,
        description: 'Offset pagination.',
      }),
    ),
    limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 10 })),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: '`next_cursor` of the previous page (keyset pagination); not combinable with skip > 0.',
      }),
    ),
    status: Type.Optional(
      Type.String({
        pattern: `^(${TaskStatuses.join('|')})(,(${TaskStatuses.join('|')}))*$`,
        errorMessage: {
          pattern: `must be ${TaskStatuses.slice(0, -1).join(', ')} or ${TaskStatuses.at(-1)}, or several of them separated by commas`,
        },
        maxLength: 100,
        examples: ['todo,in_progress'],
        description: 'One status, or several separated by commas.',
      }),
    ),
    owner_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        ...STORABLE,
        examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
      }),
    ),
    created_after: Type.Optional(
      Type.String({ ...DATE_TIME_INPUT, description: 'RFC 3339; exclusive bound.' }),
    ),
    created_before: Type.Optional(
      Type.String({ ...DATE_TIME_INPUT, description: 'RFC 3339; exclusive bound.' }),
    ),
    due_after: Type.Optional(
      Type.String({
        ...DATE_TIME_INPUT,
        examples: ['2024-05-01T00:00:00Z'],
        description: 'RFC 3339; exclusive bound on `due_at` (tasks without a due date are left out).',
      }),
    ),
    due_before: Type.Optional(
      Type.String({
        ...DATE_TIME_INPUT,
        examples: ['2024-06-01T00:00:00Z'],
        description: 'RFC 3339; exclusive bound on `due_at` (tasks without a due date are left out).',
      }),
    ),
    overdue: Type.Optional(
      Type.Boolean({
        examples: [true],
        description:
          "`true`: tasks due before now (the request's second) that are not done. `false`: every other " +
          'task (no due date, due later, or done).',
      }),
    ),
    priority: Type.Optional(
      Type.String({
        pattern: `^(${TaskPriorities.join('|')})(,(${TaskPriorities.join('|')}))*$`,
        errorMessage: {
          pattern: `must be ${TaskPriorities.slice(0, -1).join(', ')} or ${TaskPriorities.at(-1)}, or several of them separated by commas`,
        },
        maxLength: 100,
        examples: ['high,urgent'],
        description: 'One priority, or several separated by commas (any of them).',
      }),
    ),
    label: Type.Optional(
      Type.String({
        minLength: 1,
        // At most as many labels as a task may have: more could match no task.
        maxLength: MAX_LABELS * (LABEL_MAX_CHARACTERS + 1) - 1,
        pattern: `^${FILTER_LABEL}(,${FILTER_LABEL}){0,${MAX_LABELS - 1}}$`,
        errorMessage: {
          pattern:
            `must be one label or up to ${MAX_LABELS} separated by commas, each 1–${LABEL_MAX_CHARACTERS} ` +
            'characters, without a NUL character or an unpaired UTF-16 surrogate',
        },
        examples: ['finance,Q3'],
        description:
          `One label, or up to ${MAX_LABELS} separated by commas: tasks having all of them, ` +
          'regardless of case (each is trimmed, as labels are stored, and must not be blank).',
      }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        ...SEARCH_TEXT,
        examples: ['report'],
        description:
          `Text in the title or description, in any case and anywhere in a word: at least ${MIN_SEARCH_CHARACTERS} ` +
          'characters after trimming (the trigram index cannot serve shorter text); blank means no search. ' +
          'Every character is literal (`%`, `_`, `\\`, quotes, `&`, `|`, `!`, `:*`). Not ranked: matches keep ' +
          "the operation's order (a listing's `sort`, newest first by default).",
      }),
    ),
    sort: Type.Optional(ListSortSchema),
  },
  { additionalProperties: false },
);
/** The query after validation: Ajv has filled in every default. */
export type ListTasksQuery = Required<Pick<Static<typeof ListTasksQuerySchema>, 'skip' | 'limit' | 'sort'>> &
  Static<typeof ListTasksQuerySchema>;

export const TaskPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('Task'), { maxItems: 100 }),
    next_cursor: Type.Union([Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' }), Type.Null()], {
      examples: [
        'WzEsIi1jcmVhdGVkX2F0IiwiMjAyNC0wNS0wMVQwOTozMDowMC4wMDBaIiwiMDE5MGY1YTItN2MzZS03YTEwLTgwMDAtM2YyYjljMWQ0ZTVmIl0',
      ],
      description: 'null on the last page',
    }),
  },
  { $id: 'TaskPage' },
);
export type TaskPage = { items: Task[]; next_cursor: string | null };
