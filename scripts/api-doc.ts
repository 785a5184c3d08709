/**
 * `npm run docs:api`: rewrites the generated parts of docs/api.md (operations,
 * parameters, fields and their limits, schemas, error codes) from the OpenAPI
 * document the server serves. test/unit/api-doc.test.ts fails until this has
 * been run after a change to a route schema or the error catalogue.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderApiReference, withGeneratedParts } from './api-contract/render.ts';
import { servedOpenApiDocument } from './api-contract/served-document.ts';

const page = path.resolve(import.meta.dirname, '../docs/api.md');
const parts = renderApiReference(await servedOpenApiDocument());
await writeFile(page, withGeneratedParts(await readFile(page, 'utf8'), parts));
console.log(`docs/api.md: ${Object.keys(parts).length} generated parts rewritten`);
