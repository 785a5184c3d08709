/**
 * Request bodies for the fuzz run: in the operation's documented media type
 * (what its schema allows, one field made hostile, or bytes that are no JSON
 * in UTF-8 at all), or the same sent as another media type.
 */
import fc from 'fast-check';
import type { Document, OperationRef, Plan } from './requests.ts';
import { allowedValue, hostileBody, hostileText } from './values.ts';

const otherMediaTypes = [
  undefined,
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=UTF-8',
  'application/json;foo=bar',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/x-ndjson',
  'application/json, text/plain',
  '*/*',
  'application/',
];

export function bodyFor(ref: OperationRef, document: Document): fc.Arbitrary<Plan['body']> {
  const content = ref.operation.requestBody?.content;
  if (!content) return fc.constant(undefined);
  const documented = Object.keys(content);
  const createSchema = document.paths['/tasks']?.post?.requestBody?.content['application/json']?.schema ?? {};
  const encode = (type: string, value: unknown): Buffer => {
    if (type === 'application/x-ndjson') {
      const lines = Array.isArray(value) ? value : [value];
      return Buffer.from(
        lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
      );
    }
    if (type === 'application/x-www-form-urlencoded')
      return Buffer.from(new URLSearchParams(Object.entries(value as Record<string, string>)).toString());
    return Buffer.from(JSON.stringify(value));
  };
  const valueFor = (type: string) =>
    type === 'application/x-ndjson'
      ? fc.array(
          fc.oneof(
            { weight: 8, arbitrary: allowedValue(createSchema) },
            { weight: 1, arbitrary: hostileText },
          ),
          { minLength: 1, maxLength: 6 },
        )
      : type === 'application/x-www-form-urlencoded'
        ? fc.record({
            logout_token: fc.oneof(
              hostileText,
              fc
                .array(fc.base64String({ minLength: 4, maxLength: 40 }), { minLength: 3, maxLength: 3 })
                .map((parts) => parts.join('.').replaceAll('=', '')),
            ),
          })
        : allowedValue(content[type]?.schema ?? {});
  // A documented body with one field replaced by a hostile value, or one the schema does not have.
  const mutated = (type: string) =>
    fc
      .tuple(
        valueFor(type),
        fc.constantFrom(
          'title',
          'status',
          'owner_id',
          'labels',
          'due_at',
          'priority',
          'unknown',
          'id',
          'version',
        ),
        fc.oneof(hostileText, fc.anything()),
      )
      .map(([value, field, replacement]) =>
        value && typeof value === 'object' && !Array.isArray(value)
          ? { ...value, [field]: replacement }
          : value,
      );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .constantFrom(...documented)
        .chain((type) => valueFor(type).map((value) => ({ contentType: type, bytes: encode(type, value) }))),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...documented)
        .chain((type) => mutated(type).map((value) => ({ contentType: type, bytes: encode(type, value) }))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...documented), hostileBody)
        .map(([contentType, bytes]) => ({ contentType, bytes })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...otherMediaTypes), valueFor(documented[0] ?? ''))
        .map(([contentType, value]) => ({ contentType, bytes: encode(documented[0] ?? '', value) })),
    },
  );
}
