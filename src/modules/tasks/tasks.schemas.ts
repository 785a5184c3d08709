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

/**
 * Text PostgreSQL can store as sent: no NUL character (it would fail the
 * statement) and no unpaired UTF-16 surrogate (it would be silently replaced
 * by U+FFFD). Such input is a 422, never a 500 or a changed value.
 */
const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';

const TitleSchema = Type.String({
  pattern: STORABLE_TEXT,
  minLength: 1,
  maxLength: 10_000,
  description: 'Required; 1–200 characters after trimming (surrounding white space is removed); not blank.',
});
const DescriptionSchema = Type.Union(
  [Type.String({ maxLength: 10_000, pattern: STORABLE_TEXT }), Type.Null()],
  {
    description: 'At most 10,000 characters; null when there is none.',
  },
);
const OwnerIdSchema = Type.String({
  pattern: STORABLE_TEXT,
  minLength: 1,
  maxLength: 255,
  description: 'The `sub` of the owner. Only an admin may set or change it.',
});

export const TaskSchema = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      maxLength: 36,
      description: 'Assigned by the server; time-ordered (UUIDv7).',
    }),
    title: Type.String({ minLength: 1, maxLength: 200, pattern: STORABLE_TEXT }),
    description: Type.Union([Type.String({ maxLength: 10_000, pattern: STORABLE_TEXT }), Type.Null()]),
    status: TaskStatusSchema,
    owner_id: Type.String({ minLength: 1, maxLength: 255, pattern: STORABLE_TEXT }),
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
  },
  { $id: 'Task', additionalProperties: false },
);
export type Task = Static<typeof TaskSchema>;

export const CreateTaskBodySchema = Type.Object(
  {
    title: TitleSchema,
    description: Type.Optional(DescriptionSchema),
    status: Type.Optional(TaskStatusSchema),
    owner_id: Type.Optional(OwnerIdSchema),
  },
  { additionalProperties: false, description: 'Any other field is rejected with 422.' },
);
export type CreateTaskBody = Static<typeof CreateTaskBodySchema>;

/** PUT replaces the writable fields: an omitted optional field returns to its default. */
export const ReplaceTaskBodySchema = CreateTaskBodySchema;
export type ReplaceTaskBody = CreateTaskBody;

/** JSON merge patch (RFC 7396) of the writable fields: null removes (only `description` may be null). */
export const PatchTaskBodySchema = Type.Object(
  {
    title: Type.Optional(TitleSchema),
    description: Type.Optional(DescriptionSchema),
    status: Type.Optional(TaskStatusSchema),
    owner_id: Type.Optional(OwnerIdSchema),
  },
  { additionalProperties: false, description: 'JSON merge patch; any other field is rejected with 422.' },
);
export type PatchTaskBody = Static<typeof PatchTaskBodySchema>;

export const TaskParamsSchema = Type.Object({
  id: Type.String({
    maxLength: 200,
    description: 'Task id (UUID). A malformed id is 404, like an unknown one.',
  }),
});

export const ListSorts = ['-created_at', 'created_at', '-updated_at', 'updated_at'] as const;
export const ListSortSchema = Type.Enum(ListSorts, { default: '-created_at' });
export type ListSort = Static<typeof ListSortSchema>;

export const ListTasksQuerySchema = Type.Object(
  {
    skip: Type.Integer({
      format: 'int32',
      minimum: 0,
      maximum: 10_000_000,
      default: 0,
      description: 'Offset pagination.',
    }),
    limit: Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 10 }),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: '`next_cursor` of the previous page (keyset pagination); not combinable with skip > 0.',
      }),
    ),
    status: Type.Optional(
      Type.String({
        pattern: '^(todo|in_progress|done)(,(todo|in_progress|done))*$',
        maxLength: 100,
        description: 'One status, or several separated by commas.',
      }),
    ),
    owner_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: STORABLE_TEXT })),
    created_after: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'RFC 3339; exclusive bound.' }),
    ),
    created_before: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'RFC 3339; exclusive bound.' }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: STORABLE_TEXT,
        description:
          'Case-insensitive text in title or description: at least 3 characters after trimming ' +
          '(the trigram index cannot serve shorter text); blank means no search.',
      }),
    ),
    sort: ListSortSchema,
  },
  { additionalProperties: false },
);
export type ListTasksQuery = Static<typeof ListTasksQuerySchema>;

export const TaskPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('Task'), { maxItems: 100 }),
    next_cursor: Type.Union([Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' }), Type.Null()], {
      description: 'null on the last page',
    }),
  },
  { $id: 'TaskPage' },
);
export type TaskPage = { items: Task[]; next_cursor: string | null };

/** An entity-tag list as a header carries it: visible ASCII, spaces and tabs. */
const ETAG_LIST = '^[\\x20-\\x7E\\t]*$';

/** If-None-Match of a read: the ETag of the copy the client holds. */
export const IfNoneMatchHeaderSchema = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 1024, pattern: ETAG_LIST })),
});

export const IfMatchHeaderSchema = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 1024,
      pattern: ETAG_LIST,
      description: 'ETag of the version you read: 412 if it changed.',
    }),
  ),
});

export const CreateTaskHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Retry-safe creation: the same key and body return the same task; another body is 409.',
    }),
  ),
});
