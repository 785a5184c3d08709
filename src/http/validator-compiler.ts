/**
 * Request validation with two Ajv instances. Query strings, path parameters
 * and headers arrive as text, so they are coerced to the schema's types; a
 * JSON body is not (a numeric `title` is a 422, not the string "123"). Extra
 * body fields are rejected, never dropped, and every problem is reported.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/** Ajv with the formats our schemas use; also what consumers validate event contracts with. */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, ...options });
  addFormats.default(ajv, ['date-time', 'uuid', 'email', 'uri', 'uri-reference', 'json-pointer', 'int32']);
  return ajv;
}

const forBody = createAjv({ coerceTypes: false });
const forText = createAjv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? forBody : forText).compile(schema);
