/**
 * The task resource and its requests, defined once: these schemas validate
 * requests, serialize responses and document the API (OpenAPI), and the
 * TypeScript types come from them.
 */
import { type Static, Type } from 'typebox';

export const TaskStatuses = ['todo', 'in_progress', 'done'] as const;
export const TaskStatusSchema = Type.Enum(TaskStatuses, {
  description: 'Where the task stands.',
});
export type TaskStatus = Static<typeof TaskStatusSchema>;

/** In rising order: a priority's position here is its rank, which sorting by priority follows. */
export const TaskPriorities = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export const TaskPrioritySchema = Type.Enum(TaskPriorities, {
  description: 'How pressing the task is; `none` by default. Sorted by rank, none < low < … < urgent.',
});
export type TaskPriority = Static<typeof TaskPrioritySchema>;

export const TITLE_MAX_CHARACTERS = 200;
export const MAX_LABELS = 20;
export const LABEL_MAX_CHARACTERS = 50;
/** A label as the `label` filter names it: 1–50 characters as sent, no comma. */
export const FILTER_LABEL = `[^,\\u0000\\uD800-\\uDFFF]{1,${LABEL_MAX_CHARACTERS}}`;
/** Shorter search text has no trigram to look up: the search would read every task. */
export const MIN_SEARCH_CHARACTERS = 3;

/**
 * Text PostgreSQL can store as sent: no NUL character (it would fail the
 * statement) and no unpaired UTF-16 surrogate (it would be silently replaced
 * by U+FFFD). Such input is a 422, never a 500 or a changed value.
 */
const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';
export const STORABLE = {
  pattern: STORABLE_TEXT,
  // What a 422 says (ajv-errors) instead of the pattern itself.
  errorMessage: { pattern: 'must not contain a NUL character or an unpaired UTF-16 surrogate' },
};
/** A label as the `label` filter can name it: storable text without a comma. */
export const LABEL_TEXT = {
  pattern: '^[^,\\u0000\\uD800-\\uDFFF]*$',
  errorMessage: {
    pattern: 'must not contain a comma, a NUL character or an unpaired UTF-16 surrogate',
  },
};
/** Search text: blank (no search), or at least 3 characters once surrounding white space is removed. */
export const SEARCH_TEXT = {
  pattern: `^\\s*(?:[^\\s\\u0000\\uD800-\\uDFFF][^\\u0000\\uD800-\\uDFFF]{${MIN_SEARCH_CHARACTERS - 2},}[^\\s\\u0000\\uD800-\\uDFFF])?\\s*$`,
  errorMessage: {
    pattern:
      `must be blank (no search) or at least ${MIN_SEARCH_CHARACTERS} characters after trimming, ` +
      'without a NUL character or an unpaired UTF-16 surrogate',
  },
};

const TitleSchema = Type.String({
  ...STORABLE,
  minLength: 1,
  maxLength: TITLE_MAX_CHARACTERS,
  examples: ['Write the quarterly report'],
  description:
    `1–${TITLE_MAX_CHARACTERS} characters (code points) as sent, not blank; ` +
    'stored without its surrounding white space.',
});
const DescriptionSchema = Type.Union([Type.String({ maxLength: 10_000, ...STORABLE }), Type.Null()], {
  examples: ['Figures from the finance export; send to Dana by Friday.'],
  description: 'At most 10,000 characters; null when there is none.',
});
/**
 * An instant a client sends: RFC 3339 with a time zone. What a 422 says instead of Ajv's
 * `must match format "date-time"`, which the web app would show as it is.
 */
export const DATE_TIME_INPUT = {
  format: 'date-time',
  maxLength: 40,
  errorMessage: { format: 'must be an RFC 3339 date and time with a time zone, e.g. 2026-12-31T17:00:00Z' },
};
/** Every instant the database stores (years 1–9999), RFC 3339 with a time zone. */
const DueAtSchema = Type.Union([Type.String(DATE_TIME_INPUT), Type.Null()], {
  description: 'When the task is due: RFC 3339 (stored and shown in UTC, to the millisecond), or null.',
});
/** One label as a write gives it. */
export const LabelSchema = Type.String({
  minLength: 1,
  maxLength: LABEL_MAX_CHARACTERS,
  ...LABEL_TEXT,
  examples: ['finance'],
});
const LabelsSchema = Type.Array(LabelSchema, {
  maxItems: MAX_LABELS,
  description:
    `A set of at most ${MAX_LABELS} labels, each 1–${LABEL_MAX_CHARACTERS} characters as sent, not blank, ` +
    'without a comma (the `label` filter separates labels by commas); unique regardless of case. ' +
    'Stored without surrounding white space; matched case-insensitively.',
});
const OwnerIdSchema = Type.String({
  ...STORABLE,
  minLength: 1,
  maxLength: 255,
  examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
  description: 'The `sub` of the owner. Only an admin may set or change it.',
});

export const TaskSchema = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      maxLength: 36,
      description: 'Assigned by the server; time-ordered (UUIDv7).',
    }),
    title: Type.String({
      minLength: 1,
      maxLength: TITLE_MAX_CHARACTERS,
      pattern: STORABLE_TEXT,
      examples: ['Write the quarterly report'],
    }),
    description: Type.Union([Type.String({ maxLength: 10_000, pattern: STORABLE_TEXT }), Type.Null()], {
      examples: ['Figures from the finance export; send to Dana by Friday.'],
    }),
    status: TaskStatusSchema,
    owner_id: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: STORABLE_TEXT,
      examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
    }),
    created_at: Type.String({
      format: 'date-time',
      maxLength: 40,
      description: 'RFC 3339, UTC; assigned by the server.',
    }),
    updated_at: Type.String({
      format: 'date-time',
      maxLength: 40,
      description: 'RFC 3339, UTC; set on every change.',
    }),
    version: Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'Starts at 1, +1 on every change; the ETag is "<version>".',
    }),
    due_at: Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()], {
      description: 'RFC 3339, UTC, or null: no due date.',
    }),
    priority: TaskPrioritySchema,
    labels: Type.Array(
      Type.String({
        minLength: 1,
        maxLength: LABEL_MAX_CHARACTERS,
        pattern: STORABLE_TEXT,
        examples: ['finance'],
      }),
      {
        maxItems: MAX_LABELS,
        description: 'Sorted case-insensitively.',
      },
    ),
    completed_at: Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()], {
      description: 'Set by the server when the status becomes `done`; null while it is not done.',
    }),
  },
  { $id: 'Task', additionalProperties: false },
);
export type Task = Static<typeof TaskSchema>;

/** The writable fields besides the title, optional in every write. */
const OPTIONAL_WRITABLE_FIELDS = {
  description: Type.Optional(DescriptionSchema),
  status: Type.Optional(TaskStatusSchema),
  owner_id: Type.Optional(OwnerIdSchema),
  due_at: Type.Optional(DueAtSchema),
  priority: Type.Optional(TaskPrioritySchema),
  labels: Type.Optional(LabelsSchema),
};

export const CreateTaskBodySchema = Type.Object(
  { title: TitleSchema, ...OPTIONAL_WRITABLE_FIELDS },
  { additionalProperties: false, description: 'Any other field is rejected with 422.' },
);
export type CreateTaskBody = Static<typeof CreateTaskBodySchema>;

/** PUT replaces the writable fields: an omitted optional field returns to its default. */
export const ReplaceTaskBodySchema = CreateTaskBodySchema;
export type ReplaceTaskBody = CreateTaskBody;

/**
 * JSON merge patch (RFC 7396) of the writable fields: null removes (only
 * `description` and `due_at` may be null); `labels` replaces the whole set.
 */
export const PatchTaskBodySchema = Type.Object(
  { title: Type.Optional(TitleSchema), ...OPTIONAL_WRITABLE_FIELDS },
  { additionalProperties: false, description: 'JSON merge patch; any other field is rejected with 422.' },
);
export type PatchTaskBody = Static<typeof PatchTaskBodySchema>;

export const TaskParamsSchema = Type.Object({
  id: Type.String({
    maxLength: 200,
    description: 'Task id (UUID). A malformed id is 404, like an unknown one.',
  }),
});

/** An entity-tag list as a header carries it: visible ASCII, spaces and tabs. */
const ETAG_LIST = '^[\\x20-\\x7E\\t]*$';

/** If-None-Match of a read: the ETag of the copy the client holds. */
export const IfNoneMatchHeaderSchema = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 1024, pattern: ETAG_LIST, examples: ['"3"'] })),
});

export const IfMatchHeaderSchema = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 1024,
      pattern: ETAG_LIST,
      examples: ['"3"'],
      description: 'ETag of the version you read: 412 if it changed.',
    }),
  ),
});

/** A key the client chooses for one request, to retry it safely: visible ASCII. */
export const idempotencyKeySchema = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7E]+$',
    examples: ['9f1c2e7a-4b5d-4c8e-a1f0-2d3b4c5e6f70'],
    description,
  });

export const CreateTaskHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    idempotencyKeySchema(
      'Retry-safe creation: the same key and body return the same task; another body is 409.',
    ),
  ),
});
