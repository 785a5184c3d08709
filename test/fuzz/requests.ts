/**
 * The fuzz run's requests, drawn by fast-check from the served OpenAPI
 * document: for an operation, who calls (every role, no token, a forged
 * token), which task it names, each parameter (absent, allowed by the
 * schema, or hostile), headers, and a body in the documented media type or
 * another. A plan names a task by pool and index; the run resolves it when it
 * sends, from the tasks it has seen (fast-check's seed makes the plans the same).
 */
import fc from 'fast-check';
import { bodyFor } from './bodies.ts';
import { allowedValue, craftedCursor, hostileText, oddNumber, type Schema } from './values.ts';

export interface Parameter {
  in: 'query' | 'header' | 'path' | 'cookie';
  name: string;
  required?: boolean;
  schema: Schema;
}
export interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
export interface OperationRef {
  method: string;
  route: string;
  operation: Operation;
}

export const ROLE_CALLERS = ['alice', 'bob', 'dave', 'carol', 'erin'] as const;
export type RoleCaller = (typeof ROLE_CALLERS)[number];
/** Tokens that must all be refused: each a way a bearer token can be wrong. */
export const FORGED_TOKENS = [
  'padded-signature',
  'tampered-signature',
  'expired',
  'wrong-audience',
  'wrong-issuer',
  'unpublished-key',
  'alg-none',
  'garbage',
  'empty',
  'basic-scheme',
  'two-tokens',
] as const;
export type Caller = RoleCaller | 'none' | (typeof FORGED_TOKENS)[number];

/** Which task a path's {id} names: one of the caller's, someone else's, a deleted one, or none at all. */
export type Target =
  | { pool: 'own' | 'other' | 'deleted'; index: number }
  | { pool: 'unknown'; id: string }
  | { pool: 'raw'; path: string };
/** The If-Match / If-None-Match a plan sends: the target's current version, an old one, `*`, or any text. */
export type Precondition = 'current' | 'stale' | 'star' | { raw: string };

export interface Plan {
  ref: OperationRef;
  caller: Caller;
  target: Target;
  /** [name, value, sent as written (not percent-encoded)] */
  query: [string, string, boolean][];
  headers: Record<string, string>;
  precondition?: { header: 'if-match' | 'if-none-match'; value: Precondition };
  body?: { contentType: string | undefined; bytes: Buffer };
}

export function operationsOf(document: Document): OperationRef[] {
  return Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      route,
      operation,
    })),
  );
}

const caller: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ROLE_CALLERS) },
  { weight: 2, arbitrary: fc.constant('none' as const) },
  { weight: 3, arbitrary: fc.constantFrom(...FORGED_TOKENS) },
);

const uuid = fc.uuid({ version: [4, 7] });
/** Characters written into a URL as they are: broken escapes (%zz) and bytes a parser must refuse. */
const rawSegment = fc.constantFrom(
  '%zz',
  '%',
  '%E0%A4%A',
  '%ff%fe',
  '%00',
  '%2e%2e',
  '..',
  'a%2Fb',
  '%C0%AF',
  ';x=1',
);
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ pool: fc.constant('own' as const), index: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ pool: fc.constant('other' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ pool: fc.constant('deleted' as const), index: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ pool: fc.constant('unknown' as const), id: fc.oneof(uuid, hostileText) }),
  },
  { weight: 1, arbitrary: fc.record({ pool: fc.constant('raw' as const), path: rawSegment }) },
);

/** A query parameter's value: absent, what the schema allows, or hostile (kinds that suit its name). */
function queryValue(parameter: Parameter): fc.Arbitrary<[string, string, boolean][]> {
  const allowed = allowedValue(parameter.schema).map((value) => String(value));
  const hostile = fc.oneof(
    hostileText,
    ...(parameter.name === 'cursor' ? [craftedCursor, craftedCursor] : []),
    ...(parameter.schema.type === 'integer' ? [oddNumber, oddNumber] : []),
  );
  const one = (value: fc.Arbitrary<string>) =>
    fc
      .tuple(value, fc.boolean())
      .map(([text, asWritten]) => [[parameter.name, text, asWritten]] as [string, string, boolean][]);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<[string, string, boolean][]>([]) },
    { weight: 5, arbitrary: one(allowed) },
    { weight: 2, arbitrary: one(hostile) },
    // The same parameter twice.
    {
      weight: 1,
      arbitrary: fc.tuple(one(allowed), one(fc.oneof(allowed, hostile))).map(([a, b]) => [...a, ...b]),
    },
  );
}

/** Parameters the operation does not have: a few, or thousands (a 422 must stay within its 100 errors). */
const unknownParameters: fc.Arbitrary<[string, string, boolean][]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<[string, string, boolean][]>([]) },
  {
    weight: 3,
    arbitrary: fc.array(
      fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 }), fc.constant(false)),
      { minLength: 1, maxLength: 4 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(120, 1_400, 10_000)
      .map((count) =>
        Array.from({ length: count }, (_, index) => [`p${index}`, '1', true] as [string, string, boolean]),
      ),
  },
);

/** Header values a client can send (visible ASCII and spaces), hostile ones included. */
const headerText = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 60,
  }),
  fc.constantFrom(
    'x'.repeat(300),
    'x'.repeat(1_100),
    '"1"',
    'W/"1"',
    '"1", "2"',
    '*',
    '""',
    '"',
    '\t',
    "' OR 1=1 --",
  ),
);
const accept = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  '*/*',
  'application/json',
  'application/problem+json',
  'text/html',
  'application/xml',
  'text/csv',
  'application/x-ndjson',
  'text/event-stream',
  'image/png;q=0.1',
  ';;;',
  '*/*;q=0',
);
const precondition: fc.Arbitrary<Precondition> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('current' as const) },
  { weight: 2, arbitrary: fc.constant('stale' as const) },
  { weight: 1, arbitrary: fc.constant('star' as const) },
  { weight: 1, arbitrary: headerText.map((raw) => ({ raw })) },
);

/** Every plan for one operation. */
export function planFor(ref: OperationRef, document: Document): fc.Arbitrary<Plan> {
  const parameters = ref.operation.parameters ?? [];
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const conditional = parameters.find(
    (parameter) => parameter.name === 'if-match' || parameter.name === 'if-none-match',
  );
  const idempotency = parameters.find((parameter) => parameter.name === 'idempotency-key');
  return fc.record({
    ref: fc.constant(ref),
    caller,
    target,
    query: fc.tuple(...queryParameters.map(queryValue), unknownParameters).map((parts) => parts.flat()),
    headers: fc
      .record(
        {
          accept,
          'idempotency-key': idempotency
            ? fc.oneof(fc.constantFrom('key-1', 'key-2', 'key-3'), uuid, headerText)
            : fc.constant(undefined),
          'x-request-id': fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: headerText },
          ),
          // Over the server's 16 KiB of headers: a 431 that is still a problem.
          'x-padding': fc.oneof(
            { weight: 30, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.constant('x'.repeat(20_000)) },
          ),
        },
        { requiredKeys: [] },
      )
      .map(
        (headers) =>
          Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<
            string,
            string
          >,
      ),
    precondition: conditional
      ? fc.option(
          precondition.map((value) => ({ header: conditional.name as 'if-match' | 'if-none-match', value })),
          { nil: undefined, freq: 3 },
        )
      : fc.constant(undefined),
    body: bodyFor(ref, document),
  });
}

/** `count` plans over every operation, the same for the same seed. */
export function plansOf(document: Document, seed: number, count: number): Plan[] {
  const operations = operationsOf(document);
  // Writes twice as often as the rest: they are what can be lost.
  const plan = fc.oneof(
    ...operations.map((ref) => ({
      weight:
        ['POST', 'PUT', 'PATCH', 'DELETE'].includes(ref.method) && ref.route.startsWith('/tasks') ? 2 : 1,
      arbitrary: planFor(ref, document),
    })),
  );
  return fc.sample(plan, { seed, numRuns: count });
}
