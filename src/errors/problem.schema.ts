import { Type } from 'typebox';
import { MAX_FIELD_ERRORS } from './app-error.ts';
import { ErrorCatalogue, type ErrorCode } from './error-catalogue.ts';

/** Free text of a message: no control characters besides tab and new line. */
const TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$';
const codes = Object.keys(ErrorCatalogue) as ErrorCode[];

const EXAMPLE_MESSAGE = 'must be one of -created_at, created_at, -updated_at, updated_at';
/** A problem as the API sends it (the docs page shows it rather than text made up from the patterns). */
const EXAMPLE = {
  type: 'urn:tasks:problem:validation-failed',
  title: 'Validation failed',
  status: 422,
  detail: 'The query string breaks the API contract.',
  instance: '/tasks',
  code: 'VALIDATION_FAILED',
  request_id: 'c0c5883f-2ec5-4024-b188-472a07e21406',
  errors: [{ parameter: 'sort', message: EXAMPLE_MESSAGE }],
};

const FieldErrorsSchema = Type.Array(
  Type.Object({
    pointer: Type.Optional(
      Type.String({
        format: 'json-pointer',
        maxLength: 1_024,
        description: 'JSON pointer into the body (of a line-by-line body: into its line)',
      }),
    ),
    parameter: Type.Optional(
      Type.String({
        maxLength: 255,
        pattern: '^[\\x21-\\x7E]+$',
        examples: ['sort'],
        description: 'query parameter or header',
      }),
    ),
    message: Type.String({ maxLength: 1_000, pattern: TEXT, examples: [EXAMPLE_MESSAGE] }),
  }),
  { maxItems: MAX_FIELD_ERRORS },
);

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      format: 'uri',
      maxLength: 100,
      description: 'URI naming the kind of problem (stable).',
    }),
    title: Type.Enum([...new Set(codes.map((code) => ErrorCatalogue[code].title))]),
    status: Type.Integer({ format: 'int32', minimum: 400, maximum: 599 }),
    detail: Type.String({ maxLength: 2_000, pattern: TEXT, examples: [EXAMPLE.detail] }),
    instance: Type.String({ format: 'uri-reference', maxLength: 2_048 }),
    code: Type.Enum(codes, { description: 'Stable error code from the catalogue.' }),
    request_id: Type.String({
      maxLength: 128,
      pattern: '^[A-Za-z0-9._:-]+$',
      examples: [EXAMPLE.request_id],
    }),
    errors: Type.Optional(FieldErrorsSchema),
    lines: Type.Optional(
      Type.Array(
        Type.Object({
          line: Type.Integer({
            format: 'int32',
            minimum: 1,
            maximum: 2_147_483_647,
            description: 'Line number, from 1',
          }),
          errors: FieldErrorsSchema,
        }),
        { maxItems: MAX_FIELD_ERRORS, description: 'The broken lines of a line-by-line body (NDJSON).' },
      ),
    ),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details (application/problem+json).',
    examples: [EXAMPLE],
  },
);

/** Problem responses of a route, by status, for its schema (validation-free, OpenAPI-complete). */
export function problemResponses(...codes: ErrorCode[]) {
  const responses: Record<number, unknown> = {};
  for (const code of codes) {
    const { status } = ErrorCatalogue[code];
    responses[status] = {
      description: ErrorCatalogue[code].title,
      content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
    };
  }
  return responses;
}
