/**
 * Values for the fuzz run, as fast-check arbitraries: from an OpenAPI schema
 * (what the document allows, limits and formats included) and the hostile
 * kinds the document does not (issue 13: crafted cursors, Infinity and 1e400,
 * %zz, ids over the limit, invalid UTF-8, control characters, injection).
 */
import fc from 'fast-check';
import type { Schema } from '../support/schema-limits.ts';

export type { Schema };

const dateTime = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Text the document allows: any script, emoji, white space, but no NUL and no lone surrogate. */
const text = (minLength: number, maxLength: number) =>
  fc
    .string({ unit: 'grapheme', minLength, maxLength })
    .filter((value) => !value.includes('\u0000') && [...value].length <= maxLength);

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 300, 300);
  const examples = [...(schema.examples ?? []), ...(schema.example === undefined ? [] : [schema.example])];
  const samples = examples.filter((value): value is string => typeof value === 'string');
  if (schema.format === 'date-time') return dateTime;
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern?.startsWith('^(') && samples.length > 0) return fc.constantFrom(...samples);
  if (schema.pattern === '^[\\x21-\\x7E]+$')
    return fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      minLength: Math.max(min, 1),
      maxLength: max,
    });
  const free = text(min, max);
  return samples.length > 0 ? fc.oneof(fc.constantFrom(...samples), free) : free;
}

/** A value the schema allows (or, for patterns it cannot mirror, usually allows: the server is then asked). */
export function allowedValue(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((branch) => allowedValue(branch, depth)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.oneof(
        fc.integer({
          min: schema.minimum ?? -1_000,
          max: Math.min(schema.maximum ?? 1_000, (schema.minimum ?? 0) + 50),
        }),
        fc.integer({ min: schema.minimum ?? -2_147_483_648, max: schema.maximum ?? 2_147_483_647 }),
      );
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringOf(schema);
    case 'array':
      // Unique, ignoring case: the server's own rule for labels (a repeated one is a 422 of its own kind).
      return fc.uniqueArray(allowedValue(schema.items ?? {}, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 5, 25),
        selector: (item) => JSON.stringify(item).toLowerCase(),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      if (depth > 2) return fc.constant({});
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [name, allowedValue(property, depth + 1)]),
        ),
        { requiredKeys: (schema.required ?? []).filter((name) => name in properties) },
      );
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.constant(null));
  }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors a client could craft: positions that decode but say nothing the server wrote. */
export const craftedCursor = fc.oneof(
  fc.constantFrom(
    base64url([1, '-created_at', '2024-02-30T00:00:00.000Z', '01900000-0000-7000-8000-000000000000']),
    base64url([1, '-created_at', '+275760-09-13T00:00:00.000Z', '01900000-0000-7000-8000-000000000000']),
    base64url([1, 'created_at', '2024-01-01T00:00:00Z', "'; DROP TABLE tasks; --"]),
    base64url([1, '-created_at', '2024-01-01T00:00:00.000Z', 'x'.repeat(300)]),
    base64url([2, '-created_at', '2024-01-01T00:00:00.000Z', '01900000-0000-7000-8000-000000000000']),
    base64url([1, 'title', '2024-01-01T00:00:00.000Z', '01900000-0000-7000-8000-000000000000']),
    base64url({ sort: '-created_at' }),
    Buffer.from('[1e400,null,[],{}]').toString('base64url'),
    base64url('not a position'),
    'AAAA',
    '====',
    '%00',
  ),
  fc
    .tuple(
      fc.integer(),
      fc.constantFrom('-created_at', 'created_at', '-updated_at', 'updated_at'),
      fc.string(),
      fc.string(),
    )
    .map(base64url),
  fc.tuple(fc.anything(), fc.anything()).map(base64url),
  fc.base64String({ maxLength: 200 }),
);

/** Numbers written in every way a number parser might take that is not a plain integer. */
export const oddNumber = fc.constantFrom(
  'Infinity',
  '-Infinity',
  'NaN',
  '1e400',
  '-1e400',
  '1e1',
  '5.0',
  '0x10',
  '0b1',
  ' 5',
  '5 ',
  '+5',
  '-0',
  '',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '99999999999999999999',
  '1,000',
  '٣',
  '５',
);

/** Strings that have broken servers: injection, encodings, control characters, lengths over every limit. */
export const hostileText = fc.oneof(
  fc.constantFrom(
    "' OR '1'='1",
    '1; DROP TABLE tasks',
    '$where',
    '{"$gt":""}',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%zz',
    '%',
    '%00',
    '%ff%fe',
    '%c0%af',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff',
    '\u202e',
    '\r\nX-Injected: 1',
    '\t',
    ' ',
    '    ',
    'null',
    'undefined',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'toString',
    'x'.repeat(201),
    'x'.repeat(513),
    'x'.repeat(10_001),
    '😀'.repeat(201),
    'é'.repeat(300),
  ),
  oddNumber,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Bodies that are not a JSON text in UTF-8 (or not the JSON the operation takes). */
export const hostileBody = fc.constantFrom(
  Buffer.from('{"title":"ab\xff\xfecd"}', 'latin1'),
  Buffer.from('{"title":"caf\xc3"}', 'latin1'),
  Buffer.from('{"title":"a\xc0\xafb"}', 'latin1'),
  Buffer.from('{"title":"a\xed\xa0\x80b"}', 'latin1'),
  Buffer.from('\xef\xbb\xbf{"title":"bom"}', 'latin1'),
  Buffer.from('{"title":"unterminated'),
  Buffer.from('{"title":"dup","title":"licate"}'),
  Buffer.from('{"__proto__":{"admin":true},"title":"proto"}'),
  Buffer.from('{"title":"x","owner_id":"someone-else"}'),
  Buffer.from('{"title":1e400}'),
  Buffer.from('[{"title":"array"}]'),
  Buffer.from('null'),
  Buffer.from('"title"'),
  Buffer.from(''),
  Buffer.from(' '),
  Buffer.from(`{"title":"${'x'.repeat(70_000)}"}`),
  Buffer.from(`{"labels":[${Array.from({ length: 5_000 }, () => '"a"').join(',')}],"title":"t"}`),
  Buffer.from(`${'['.repeat(5_000)}${']'.repeat(5_000)}`),
);
