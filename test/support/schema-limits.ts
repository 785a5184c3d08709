/**
 * Requests derived from the limits of an OpenAPI document: for every
 * parameter and body property of every operation with maxLength,
 * minLength, maximum, minimum, maxItems, enum or pattern, one value at the
 * limit (the document allows it) and one just beyond (the document refuses
 * it). Each value is checked against the document's own schema with Ajv, so
 * a case says what the document promises, and the server is then asked.
 */

import { createAjv } from '../../src/http/validator-compiler.ts';
import { LABEL_MAX_CHARACTERS } from '../../src/modules/tasks/tasks.schemas.ts';

export type Schema = Record<string, unknown> & {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  minItems?: number;
  minProperties?: number;
  examples?: unknown[];
  example?: unknown;
  default?: unknown;
};
export interface Parameter {
  in: 'query' | 'header' | 'path';
  name: string;
  schema: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema; example?: string }> };
  responses: Record<string, unknown>;
}

/** Where a value goes: a parameter, or a body property (an array item under `item`). */
export interface Target {
  in: Parameter['in'] | 'body';
  name: string;
  item?: boolean;
}
export interface LimitCase {
  target: Target;
  /** e.g. `maxLength 200`: the limit and which side of it. */
  limit: string;
  value: unknown;
  allowed: boolean;
}

const ajv = createAjv({ strict: false, coerceTypes: false });
const allows = (schema: Schema, value: unknown) => ajv.validate(schema, value);

/** The non-null branch of `string | null`. */
const valueSchemaOf = (schema: Schema): Schema =>
  schema.anyOf?.find((branch) => branch.type !== 'null') ?? schema;

/** The words of a comma list pattern such as `^(todo|done)(,(todo|done))*$`. */
const listWordsOf = (pattern: string | undefined) =>
  /^\^\(([\w|]+)\)\(,\(\1\)\)\*\$$/.exec(pattern ?? '')?.[1]?.split('|');

/** Comma list of `words`, exactly `length` characters long, if one exists (a small search). */
function commaListOf(words: string[], length: number): string | undefined {
  const reachable = new Map<number, string>([[0, '']]);
  for (let size = 0; size <= length; size += 1) {
    const prefix = reachable.get(size);
    if (prefix === undefined) continue;
    for (const word of words) {
      const next = prefix === '' ? word : `${prefix},${word}`;
      if (next.length <= length && !reachable.has(next.length)) reachable.set(next.length, next);
    }
  }
  return reachable.get(length) || undefined;
}

/** Ways to write `length` characters, tried until one the schema allows (or, beyond a limit, refuses) is found. */
const spellings = (schema: Schema, length: number): (string | undefined)[] => [
  schema.format === 'date-time' && length >= 20
    ? `2024-01-01T00:00:00${length > 20 ? `.${'0'.repeat(length - 21)}` : ''}Z`
    : undefined,
  'a'.repeat(length),
  '0'.repeat(length),
  ' '.repeat(length),
  // Three dot-separated parts, as a compact JWS is written.
  length >= 5 ? `${'a'.repeat(length - 4)}.a.a` : undefined,
  ...[listWordsOf(schema.pattern)].flatMap((words) => (words ? [commaListOf(words, length)] : [])),
  // Labels separated by commas, each as long as a label may be (the `label` filter).
  Array.from({ length }, (_, i) => ((i + 1) % (LABEL_MAX_CHARACTERS + 1) === 0 ? ',' : 'a')).join(''),
];

/** A string of `length` characters this schema allows. */
export function stringOf(schema: Schema, length: number): string {
  const found = spellings(schema, length).find((text) => text?.length === length && allows(schema, text));
  if (found === undefined) throw new Error(`no value of ${length} characters fits ${JSON.stringify(schema)}`);
  return found;
}

/** The shortest value a string schema allows (of at most 20 characters). */
export function smallestOf(schema: Schema): string {
  for (let length = Math.max(Number(schema.minLength ?? 1), 1); length < 20; length += 1) {
    const found = spellings(schema, length).find((text) => text?.length === length && allows(schema, text));
    if (found !== undefined) return found;
  }
  return stringOf(schema, 20);
}

/**
 * A small value the schema allows, of any type: a required field filled in around the case
 * under test (strings as smallestOf, arrays of their fewest distinct items, objects of their
 * required properties, or of their first ones when they need some: a bulk change's `changes`).
 */
export function validValueOf(input: Schema): unknown {
  const schema = valueSchemaOf(input);
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'array')
    return Array.from({ length: Math.max(Number(schema.minItems ?? 0), 1) }, (_, i) =>
      distinctItem(schema.items ?? {}, i),
    );
  if (schema.type === 'object') {
    const names = Object.keys(schema.properties ?? {});
    const wanted = new Set(schema.required ?? []);
    for (const name of names) if (wanted.size < Number(schema.minProperties ?? 0)) wanted.add(name);
    return Object.fromEntries(
      [...wanted].map((name) => [name, validValueOf(schema.properties?.[name] ?? {})]),
    );
  }
  return smallestOf(schema);
}

/** A string of `length` characters that breaks only the length limits if it can (`''` may break a pattern too). */
const lengthOnlyBreaking = (schema: Schema, length: number): string => {
  const rules = { ...schema, minLength: undefined, maxLength: undefined };
  return spellings(schema, length).find((text) => text?.length === length && allows(rules, text)) ?? '';
};

/** Characters that a pattern may refuse, each tried in a value the schema otherwise allows. */
const OUTSIDE_PATTERNS = ['\u0000', '\uD800', ' ', ',', 'é', '\u007F', '!', 'Z'];

/** A value that breaks only the pattern: the smallest allowed value with one refused character in it. */
function breakingPattern(schema: Schema, sendable: (text: string) => boolean): string | undefined {
  const base = smallestOf(schema);
  // Inside first: a header's surrounding white space is not part of its value.
  return OUTSIDE_PATTERNS.map((character) => `${base}${character}${base}`)
    .concat(OUTSIDE_PATTERNS.map((character) => `${character}${base.slice(1)}`))
    .find(
      (text) => sendable(text) && !allows(schema, text) && allows({ ...schema, pattern: undefined }, text),
    );
}

/**
 * The i-th of distinct valid items of an array: a string (at least its minLength), a UUID
 * for a `uuid` string, an object of its required properties (the bulk change's tasks).
 */
function distinctItem(schema: Schema, i: number): unknown {
  const item = valueSchemaOf(schema);
  if (item.type === 'object')
    return Object.fromEntries(
      (item.required ?? []).map((name) => [name, distinctItem(item.properties?.[name] ?? {}, i)]),
    );
  if (item.format === 'uuid') return `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`;
  if (item.type && item.type !== 'string') return validValueOf(item);
  return `${i}`.padStart(Number(item.minLength ?? 1), '0');
}

/** The limit cases of one value's schema (a string, integer or array), both sides of each limit. */
export function casesOf(input: Schema, sendable = (_text: string) => true): Omit<LimitCase, 'target'>[] {
  const schema = valueSchemaOf(input);
  const cases: Omit<LimitCase, 'target'>[] = [];
  const both = (limit: string, at: unknown, beyond: unknown) =>
    cases.push(
      { limit: `${limit} (at)`, value: at, allowed: true },
      { limit: `${limit} (beyond)`, value: beyond, allowed: false },
    );
  const { maxLength, minLength, maximum, minimum, maxItems } = schema as Record<string, number | undefined>;
  if (maxLength !== undefined)
    both(`maxLength ${maxLength}`, stringOf(schema, maxLength), lengthOnlyBreaking(schema, maxLength + 1));
  if (minLength)
    both(`minLength ${minLength}`, stringOf(schema, minLength), lengthOnlyBreaking(schema, minLength - 1));
  if (maximum !== undefined) both(`maximum ${maximum}`, maximum, maximum + 1);
  if (minimum !== undefined) both(`minimum ${minimum}`, minimum, minimum - 1);
  if (maxItems !== undefined && schema.items) {
    const itemSchema = schema.items;
    const items = (count: number) => Array.from({ length: count }, (_, i) => distinctItem(itemSchema, i));
    both(`maxItems ${maxItems}`, items(maxItems), items(maxItems + 1));
  }
  if (schema.enum) {
    for (const member of schema.enum) cases.push({ limit: `enum ${member}`, value: member, allowed: true });
    const outsider = `${String(schema.enum[0]).toUpperCase()}_`;
    cases.push({ limit: 'enum (outside)', value: outsider, allowed: false });
  }
  if (schema.pattern) {
    const broken = breakingPattern(schema, sendable);
    if (broken === undefined)
      throw new Error(`no value breaks only the pattern of ${JSON.stringify(schema)}`);
    cases.push({ limit: `pattern ${schema.pattern}`, value: broken, allowed: false });
  }
  for (const { value, allowed, limit } of cases) {
    if (allows(schema, value) !== allowed) throw new Error(`${limit}: ${JSON.stringify(value)} misjudged`);
  }
  return cases;
}

/** What a header can carry as its value (RFC 9110 field-value, without surrounding white space). */
const HEADER_VALUE = /^(?![\t ])[\t\x20-\x7E\x80-\xFF]*(?<![\t ])$/;

/** Every limit case of an operation: its parameters, its body's properties and their array items. */
export function limitCasesOf(operation: Operation): LimitCase[] {
  const cases: LimitCase[] = [];
  for (const parameter of operation.parameters ?? []) {
    const target: Target = { in: parameter.in, name: parameter.name };
    const sendable = parameter.in === 'header' ? (text: string) => HEADER_VALUE.test(text) : undefined;
    cases.push(...casesOf(parameter.schema, sendable).map((limitCase) => ({ ...limitCase, target })));
  }
  const body = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
  for (const [name, property] of Object.entries(body?.properties ?? {})) {
    cases.push(
      ...casesOf(property).map((limitCase) => ({ ...limitCase, target: { in: 'body' as const, name } })),
    );
    const items = valueSchemaOf(property).items;
    if (items) {
      const target = { in: 'body' as const, name, item: true };
      cases.push(...casesOf(items).map((limitCase) => ({ ...limitCase, target })));
    }
  }
  return cases;
}
