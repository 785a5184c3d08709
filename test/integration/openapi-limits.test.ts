/**
 * Every limit the served OpenAPI document states is the server's own: for
 * each operation, each parameter and body property with maxLength,
 * minLength, maximum, minimum, maxItems, enum or pattern, a request at the
 * limit passes validation and one just beyond is refused, naming the field
 * (test/support/schema-limits.ts derives both from the document).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { type LimitCase, limitCasesOf, type Operation, validValueOf } from '../support/schema-limits.ts';
import { createTask } from '../support/task-helpers.ts';

let api: RunningApi;
let document: { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  api = await startApi();
  document = (await (await fetch(`${api.baseUrl}/openapi.json`)).json()) as typeof document;
});
afterAll(() => api?.close());

/** The request of one case: a fresh task for `{id}`, the operation's required body, the value in its place. */
async function send(method: string, route: string, operation: Operation, { target, value }: LimitCase) {
  const id =
    target.in === 'path'
      ? encodeURIComponent(String(value))
      : (await createTask(api, 'alice', { title: 'limits' })).id;
  const query = new URLSearchParams(target.in === 'query' ? { [target.name]: String(value) } : {});
  const headers: Record<string, string> = target.in === 'header' ? { [target.name]: String(value) } : {};
  const [contentType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
  let body: string | undefined;
  if (contentType && media) {
    const fields: Record<string, unknown> = {};
    for (const name of media.schema.required ?? []) {
      fields[name] = validValueOf(media.schema.properties?.[name] ?? {});
    }
    if (target.in === 'body') fields[target.name] = target.item ? [value] : value;
    headers['content-type'] = contentType;
    // A body that is not an object (NDJSON) has no fields to fill in: its document's example is valid.
    if (!media.schema.properties && media.example !== undefined) body = media.example;
    else if (contentType.endsWith('json')) body = JSON.stringify(fields);
    else body = new URLSearchParams(fields as Record<string, string>).toString();
  }
  const path = `${route.replace('{id}', id)}${query.size > 0 ? `?${query}` : ''}`;
  headers.authorization = `Bearer ${await api.oidc.token('alice')}`;
  const { status, text } = await rawRequest(method.toUpperCase(), path, headers, body);
  return { status, problem: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * node:http rather than fetch, which refuses some header values a client may send (a byte
 * outside ASCII). A stream's answer never ends by itself: its status and headers are enough.
 */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(`${api.baseUrl}${path}`, { method, headers }, (response) => {
      const status = response.statusCode ?? 0;
      // JSON and problem+json; not NDJSON (an export), which is many documents.
      if (!/[/+]json(;|$)/.test(response.headers['content-type'] ?? '')) {
        response.destroy();
        resolve({ status, text: '' });
        return;
      }
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const pointerOf = ({ target, limit }: LimitCase) =>
  `/${target.name}${target.item && !limit.startsWith('maxItems') ? '/0' : ''}`;

type Answer = Awaited<ReturnType<typeof send>>;

/** What is wrong with the server's answer to one case, if anything. */
function mistakeIn(
  operation: Operation,
  limitCase: LimitCase,
  { status, problem }: Answer,
): string | undefined {
  const { target, allowed } = limitCase;
  const answer = `${status} ${problem.code} ${problem.detail ?? ''} ${JSON.stringify(problem.errors ?? '')}`;
  if (status >= 500) return answer;
  // A path that breaks its parameter's limits names no resource: the router's 404.
  if (target.in === 'path') return (problem.code === 'ROUTE_NOT_FOUND') === allowed ? answer : undefined;
  const validation =
    status === 422 ||
    // Without a 422 (the back-channel logout: OIDC says 400), a 400 naming the field.
    (!operation.responses['422'] && status === 400 && String(problem.detail).includes(target.name));
  // A body of exactly its byte limit plus one is refused before it is parsed.
  const refused = validation || status === 413;
  if (refused === allowed) return answer;
  if (status !== 422) return undefined;
  const where = target.in === 'body' ? { pointer: pointerOf(limitCase) } : { parameter: target.name };
  const errors = (problem.errors ?? []) as Record<string, unknown>[];
  const named = errors.some((error) => Object.entries(where).every(([key, value]) => error[key] === value));
  return named ? undefined : `the 422 does not name ${JSON.stringify(where)}: ${answer}`;
}

describe('the limits of the served OpenAPI document are the server’s', () => {
  it('has limits to check in every operation that takes input', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    const withInput = operations.filter((operation) => operation.parameters?.length || operation.requestBody);
    expect(withInput.filter((operation) => limitCasesOf(operation).length === 0)).toEqual([]);
  });

  it('a value at each limit passes validation; one just beyond is refused, naming the field', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [route, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const limitCase of limitCasesOf(operation)) {
          const { target, limit } = limitCase;
          const mistake = mistakeIn(operation, limitCase, await send(method, route, operation, limitCase));
          checked += 1;
          if (mistake)
            wrong.push(
              `${method} ${route} ${target.in} ${target.name}${target.item ? '[]' : ''} ${limit}: ${mistake}`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  }, 120_000);
});
