/**
 * The OpenAPI document says what the server does: only the API's own
 * operations (not the development identity provider's protocol routes), and
 * a parameter the server gives a default is never marked required, and
 * every pattern comes with real examples (else the docs page shows text
 * generated from the pattern, such as "^6DG>AxsW;`%").
 */
import { describe, expect, it } from 'vitest';
import { operationsOf } from '../../scripts/api-contract/render.ts';
import { servedOpenApiDocument } from '../../scripts/api-contract/served-document.ts';
import { createAjv } from '../../src/http/validator-compiler.ts';

describe('the served OpenAPI document', () => {
  it('in development mode lists the same operations as in production: none of the built-in provider', async () => {
    const names = (document: Awaited<ReturnType<typeof servedOpenApiDocument>>) =>
      operationsOf(document).map(({ method, path }) => `${method} ${path}`);
    // No OIDC_ISSUER: the development identity provider is mounted under /realms/tasks.
    const development = await servedOpenApiDocument({ OIDC_ISSUER: undefined });
    expect(names(development).filter((name) => name.includes('/realms/'))).toEqual([]);
    expect(names(development)).toEqual(names(await servedOpenApiDocument()));
  }, 60_000);

  it('marks no parameter with a default as required', async () => {
    for (const { method, path, operation } of operationsOf(await servedOpenApiDocument())) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema.default !== undefined) {
          expect(parameter.required, `${method} ${path} ${parameter.name}`).not.toBe(true);
        }
      }
    }
  }, 60_000);

  it('gives every schema with a pattern examples, and every example fits its schema', async () => {
    const ajv = createAjv({ strict: false });
    const missing: string[] = [];
    const misfits: string[] = [];
    /** `covered`: a union or parameter above has examples, which the docs page shows instead. */
    const visit = (node: unknown, at: string, covered: boolean) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) visit(item, `${at}/${i}`, covered);
        return;
      }
      const schema = node as Record<string, unknown>;
      const examples = schema.examples as unknown[] | undefined;
      if (typeof schema.pattern === 'string' && !examples && !covered) missing.push(at);
      for (const example of Array.isArray(examples) && !JSON.stringify(schema).includes('$ref')
        ? examples
        : []) {
        if (!ajv.validate(schema, example)) misfits.push(`${at}: ${JSON.stringify(example)}`);
      }
      // A parameter's example (@fastify/swagger moves its schema's there) must fit the schema too.
      const parameterExample = schema.in && schema.example !== undefined;
      if (parameterExample && !ajv.validate(schema.schema as object, schema.example)) {
        misfits.push(`${at}: ${JSON.stringify(schema.example)}`);
      }
      for (const [key, value] of Object.entries(schema)) {
        const shown = (key === 'anyOf' && examples !== undefined) || (key === 'schema' && parameterExample);
        if (key !== 'examples') visit(value, `${at}/${key}`, Boolean(shown));
      }
    };
    visit(await servedOpenApiDocument(), '', false);
    expect(missing).toEqual([]);
    expect(misfits).toEqual([]);
  }, 60_000);
});
