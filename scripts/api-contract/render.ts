/**
 * The reference parts of docs/api.md, rendered from the OpenAPI document the
 * server serves and from the error catalogue: every operation with its
 * statuses, every parameter, header and body field with its limits, every
 * schema and every error code. docs/api.md keeps each part between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; `npm run docs:api`
 * rewrites them and test/unit/api-doc.test.ts fails when they differ, so the
 * contract page and the document cannot drift apart.
 */
import { ErrorCatalogue, problemType } from '../../src/errors/error-catalogue.ts';
import type { OpenApiDocument } from './served-document.ts';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;

const number = (value: unknown) => Number(value).toLocaleString('en-US');
/** A table cell: pipes escaped, one line. */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

/** Every operation of the document, in path order then method order. */
export function operationsOf(
  document: OpenApiDocument,
): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase(),
      path,
      operation: item[method] as Operation,
    })),
  );
}

function typeOf(schema: Schema): string {
  if (typeof schema.$ref === 'string') return `[${schema.$ref.split('/').pop()}](#${anchorOf(schema.$ref)})`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map(typeOf).join(' or ');
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(code).join(', ')}`;
  if (schema.type === 'array') return `array of ${typeOf((schema.items as Schema) ?? {})}`;
  const type = String(schema.type ?? 'any');
  return schema.format ? `${type} (${schema.format})` : type;
}

function rangeOf(low: unknown, high: unknown, unit: string): string | undefined {
  if (low !== undefined && high !== undefined) return `${number(low)}–${number(high)}${unit}`;
  if (high !== undefined) return `at most ${number(high)}${unit}`;
  if (low !== undefined) return `at least ${number(low)}${unit}`;
  return undefined;
}

/** The limits of a schema (of every branch of a union), as a reader needs them. */
function limitsOf(schema: Schema): string {
  if (Array.isArray(schema.anyOf)) {
    return [...(schema.anyOf as Schema[]).map(limitsOf), defaultOf(schema)].filter(Boolean).join('; ');
  }
  return [
    rangeOf(schema.minLength, schema.maxLength, ' characters'),
    rangeOf(schema.minimum, schema.maximum, ''),
    rangeOf(schema.minItems, schema.maxItems, ' items'),
    schema.pattern === undefined ? undefined : `pattern ${code(schema.pattern)}`,
    defaultOf(schema),
  ]
    .filter(Boolean)
    .join('; ');
}

const defaultOf = (schema: Schema) =>
  schema.default === undefined ? undefined : `default ${code(schema.default)}`;

const anchorOf = (ref: string) => `schema-${(ref.split('/').pop() ?? '').toLowerCase()}`;

/** The rows of an object schema's fields; nested objects and arrays of objects as `a.b` / `a[].b`. */
function fieldRows(schema: Schema, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([name, field]) => {
    const row = `| ${code(prefix + name)} | ${cell(typeOf(field))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(limitsOf(field))} | ${cell(String(field.description ?? ''))} |`;
    const items = field.type === 'array' ? (field.items as Schema | undefined) : undefined;
    if (items?.type === 'object') return [row, ...fieldRows(items, `${prefix}${name}[].`)];
    if (field.type === 'object' && field.properties) return [row, ...fieldRows(field, `${prefix}${name}.`)];
    return [row];
  });
}

const FIELD_HEADER = ['| field | type | required | limits | description |', '|---|---|---|---|---|'];

function renderEndpoints(document: OpenApiDocument): string {
  const rows = operationsOf(document).map(({ method, path, operation }) => {
    const statuses = Object.keys(operation.responses).sort();
    const success = statuses.filter((status) => status < '400');
    const errors = statuses.filter((status) => status >= '400');
    return `| ${code(`${method} ${path}`)} | ${code(operation.operationId ?? '')} | ${cell(operation.summary ?? '')} | ${success.join(', ')} | ${errors.join(', ')} |`;
  });
  return [
    '| method and path | operation | summary | success | errors |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function renderOperation(method: string, path: string, operation: Operation): string {
  const parts = [`### ${code(`${method} ${path}`)}: ${operation.summary ?? operation.operationId}`, ''];
  if (operation.description) parts.push(operation.description, '');
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    parts.push(
      '| parameter | in | type | required | limits | description |',
      '|---|---|---|---|---|---|',
      ...parameters.map(
        (parameter) =>
          `| ${code(parameter.name)} | ${parameter.in} | ${cell(typeOf(parameter.schema))} | ${parameter.required ? 'yes' : 'no'} | ${cell(limitsOf(parameter.schema))} | ${cell(parameter.description ?? '')} |`,
      ),
      '',
    );
  }
  const body = operation.requestBody;
  if (body) {
    const [schema] = Object.values(body.content).map((media) => media.schema);
    parts.push(`Body (${Object.keys(body.content).map(code).join(' or ')}):`, '');
    if (schema?.properties) parts.push(...FIELD_HEADER, ...fieldRows(schema), '');
    // A body that is not an object (NDJSON text): what it is, in one line.
    else if (schema) {
      const kind = [typeOf(schema), limitsOf(schema)].filter(Boolean).join(', ');
      parts.push(`${kind}. ${String(schema.description ?? '')}`.trim(), '');
    }
  }
  parts.push(
    '| status | meaning |',
    '|---|---|',
    ...Object.entries(operation.responses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, response]) => `| ${status} | ${cell(response.description ?? '')} |`),
  );
  return parts.join('\n');
}

function renderSchemas(document: OpenApiDocument): string {
  return Object.entries(document.components.schemas)
    .map(([name, schema]) =>
      [
        `### <a id="${anchorOf(name)}"></a>${name}`,
        '',
        ...((schema as Schema).description ? [String((schema as Schema).description), ''] : []),
        ...FIELD_HEADER,
        ...fieldRows(schema as Schema),
      ].join('\n'),
    )
    .join('\n\n');
}

function renderErrors(): string {
  const rows = Object.entries(ErrorCatalogue).map(
    ([name, { status, title }]) =>
      `| ${status} | ${code(name)} | ${cell(title)} | ${code(problemType(name as keyof typeof ErrorCatalogue))} |`,
  );
  return ['| status | code | title | type |', '|---|---|---|---|', ...rows].join('\n');
}

/** Each generated part of docs/api.md, by name. */
export function renderApiReference(document: OpenApiDocument): Record<string, string> {
  return {
    endpoints: renderEndpoints(document),
    operations: operationsOf(document)
      .map(({ method, path, operation }) => renderOperation(method, path, operation))
      .join('\n\n'),
    schemas: renderSchemas(document),
    errors: renderErrors(),
  };
}

const BLOCK = /<!-- generated:([a-z-]+) -->\n([\s\S]*?)<!-- \/generated:\1 -->/g;

/** The generated parts found in a page, by name. */
export function generatedParts(page: string): Record<string, string> {
  return Object.fromEntries(
    [...page.matchAll(BLOCK)].map(([, name, body]) => [name, body?.replace(/\n$/, '')]),
  );
}

/** The page with every generated part replaced by its new rendering. */
export function withGeneratedParts(page: string, parts: Record<string, string>): string {
  const missing = Object.keys(parts).filter((name) => !(name in generatedParts(page)));
  if (missing.length > 0)
    throw new Error(`docs/api.md has no place for the generated part(s) ${missing.join(', ')}`);
  return page.replace(BLOCK, (whole, name: string) =>
    name in parts ? `<!-- generated:${name} -->\n${parts[name]}\n<!-- /generated:${name} -->` : whole,
  );
}
