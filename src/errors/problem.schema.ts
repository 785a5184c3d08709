import { Type } from 'typebox';
import { ErrorCatalogue, type ErrorCode } from './error-catalogue.ts';

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI naming the kind of problem (stable).' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String({ description: 'Stable error code from the catalogue.' }),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.Optional(Type.String({ description: 'JSON pointer into the body' })),
          parameter: Type.Optional(Type.String({ description: 'query parameter or header' })),
          message: Type.String(),
        }),
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
