/**
 * Request validation with two Ajv instances. Query strings, path parameters
 * and headers arrive as text, so they are coerced to the schema's types; a
 * JSON body is not (a numeric `title` is a 422, not the string "123"). Extra
 * body fields are rejected, never dropped, and every problem is reported.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import ajvErrors from 'ajv-errors';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Ajv with the formats our schemas use, and `errorMessage` (ajv-errors): a
 * schema may say in words what its pattern means. Also what consumers
 * validate event contracts with.
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, ...options });
  addFormats.default(ajv, ['date-time', 'uuid', 'email', 'uri', 'uri-reference', 'json-pointer', 'int32']);
  ajvErrors.default(ajv);
  return ajv;
}

const forBody = createAjv({ coerceTypes: false });
const forText = createAjv({ coerceTypes: 'array' });

/** An integer written as one: decimal digits, an optional minus sign. */
const INTEGER_TEXT = /^-?[0-9]+$/;

/**
 * Ajv coerces any text JavaScript reads as a whole number (`Infinity`,
 * `1e400`, which is Infinity too, `1e1`, `0x10`, ` 5`), and then skips
 * `minimum`, `maximum` and `format` for a number that is not finite
 * (`limit=Infinity` was `LIMIT NULL`: every row). So an integer given as
 * text must be written as an integer before Ajv coerces it.
 */
function integersAsWritten(schema: object, validate: ValidateFunction): ValidateFunction {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const integers = Object.keys(properties).filter((name) => properties[name]?.type === 'integer');
  if (integers.length === 0) return validate;
  const checked = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const errors: ErrorObject[] = integers
      .filter((name) => [values[name]].flat().some((v) => typeof v === 'string' && !INTEGER_TEXT.test(v)))
      .map((name) => ({
        instancePath: `/${name}`,
        schemaPath: `#/properties/${name}/type`,
        keyword: 'type',
        params: { type: 'integer' },
        message: 'must be an integer (decimal digits only)',
      }));
    const valid = errors.length === 0 && validate(data, context);
    checked.errors = errors.length > 0 ? errors : validate.errors;
    return valid;
  }) as ValidateFunction;
  // Fastify hands Ajv's functions the request as parent data, so that defaults can be written.
  checked.schemaEnv = validate.schemaEnv;
  return checked;
}

/** A JSON document checked as a request body is (no coercion): also each line of an NDJSON body. */
export const bodyValidator = (schema: object): ValidateFunction => forBody.compile(schema);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  httpPart === 'body' ? bodyValidator(schema) : integersAsWritten(schema, forText.compile(schema));
