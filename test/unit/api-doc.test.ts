/**
 * docs/api.md, the project's contract page, and the OpenAPI document the
 * server serves cannot drift apart: the page's reference parts are exactly
 * what the document renders to, and the parts themselves name every
 * operation, parameter, body field (with its limits) and error status of
 * the document.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedParts, operationsOf, renderApiReference } from '../../scripts/api-contract/render.ts';
import { type OpenApiDocument, servedOpenApiDocument } from '../../scripts/api-contract/served-document.ts';
import { ErrorCatalogue } from '../../src/errors/error-catalogue.ts';

const PAGE = path.resolve(import.meta.dirname, '../../docs/api.md');

let document: OpenApiDocument;
let page: string;
beforeAll(async () => {
  document = await servedOpenApiDocument();
  page = await readFile(PAGE, 'utf8');
}, 60_000);

describe('docs/api.md', () => {
  it('has exactly the reference parts the served OpenAPI document renders to (else: npm run docs:api)', () => {
    expect(generatedParts(page)).toEqual(renderApiReference(document));
  });

  it('names every operation of the document, with every status it may answer', () => {
    for (const { method, path: route, operation } of operationsOf(document)) {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${method} ${route}\` |`));
      expect(row, `${method} ${route}`).toBeDefined();
      for (const status of Object.keys(operation.responses))
        expect(row, `${method} ${route}`).toContain(status);
    }
  });

  it('lists no operation the document does not have', () => {
    const endpoints = generatedParts(page).endpoints ?? '';
    const listed = [...endpoints.matchAll(/^\| `([A-Z]+) (\S+)` \|/gm)].map(
      ([, method, route]) => `${method} ${route}`,
    );
    expect(listed.sort()).toEqual(
      operationsOf(document)
        .map(({ method, path: route }) => `${method} ${route}`)
        .sort(),
    );
  });

  it('gives every parameter and body field with its limits', () => {
    const operations = generatedParts(page).operations ?? '';
    for (const { method, path: route, operation } of operationsOf(document)) {
      const section = operations
        .split('\n### ')
        .find((part) => part.replace(/^### /, '').startsWith(`\`${method} ${route}\``));
      expect(section, `${method} ${route}`).toBeDefined();
      for (const parameter of operation.parameters ?? []) {
        const row = section
          ?.split('\n')
          .find((line) => line.startsWith(`| \`${parameter.name}\` | ${parameter.in} |`));
        expect(row, `${method} ${route} ${parameter.name}`).toBeDefined();
        const { maxLength, maximum } = parameter.schema as { maxLength?: number; maximum?: number };
        for (const limit of [maxLength, maximum]) {
          if (limit !== undefined) expect(row).toContain(limit.toLocaleString('en-US'));
        }
      }
      for (const media of Object.values(operation.requestBody?.content ?? {})) {
        for (const [field, schema] of Object.entries(
          (media.schema.properties ?? {}) as Record<
            string,
            { maxLength?: number; anyOf?: { maxLength?: number }[] }
          >,
        )) {
          const row = section?.split('\n').find((line) => line.startsWith(`| \`${field}\` |`));
          expect(row, `${method} ${route} body ${field}`).toBeDefined();
          const maxLength = schema.maxLength ?? schema.anyOf?.[0]?.maxLength;
          if (maxLength !== undefined) expect(row).toContain(maxLength.toLocaleString('en-US'));
        }
      }
    }
  });

  it('gives every error code of the catalogue with its status', () => {
    for (const [code, { status }] of Object.entries(ErrorCatalogue)) {
      expect(generatedParts(page).errors).toContain(`| ${status} | \`${code}\` |`);
    }
  });

  it('cites no contract outside the repository', () => {
    expect(page).not.toMatch(/\.\.\/.*API\.md|shared\/API\.md/);
  });
});
