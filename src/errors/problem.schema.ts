import { Type } from 'typebox';
import { ErrorCatalogue, type ErrorCode } from './error-catalogue.ts';

/** Free text of a message: no control characters besides tab and new line. */
const TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$';
const codes = Object.keys(ErrorCatalogue) as ErrorCode[];

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      format: 'uri',
      maxLength: 100,
      description: 'URI naming the kind of problem (stable).',
    }),
    title: Type.Enum([...new Set(codes.map((code) => ErrorCatalogue[code].title))]),
    status: Type.Integer({ format: 'int32', minimum: 400, maximum: 599 }),
    detail: Type.String({ maxLength: 2_000, pattern: TEXT }),
    instance: Type.String({ format: 'uri-reference', maxLength: 2_048 }),
    code: Type.Enum(codes, { description: 'Stable error code from the catalogue.' }),
    request_id: Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.Optional(
            Type.String({
              format: 'json-pointer',
              maxLength: 1_024,
              description: 'JSON pointer into the body',
            }),
          ),
          parameter: Type.Optional(
            Type.String({
              maxLength: 255,
              pattern: '^[\\x21-\\x7E]+$',
              description: 'query parameter or header',
            }),
          ),
          message: Type.String({ maxLength: 1_000, pattern: TEXT }),
        }),
        { maxItems: 100 },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' },
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
