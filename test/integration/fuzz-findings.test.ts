/**
 * What `npm run fuzz` found (docs/fuzzing.md), each as the request that
 * showed it: a 500 (a users cursor the API did not write), answers outside
 * the OpenAPI document (a 431 and a 413 it did not list) and problems outside
 * their own schema (an `instance` over 2,048 characters, a parameter name that
 * is not visible ASCII).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../src/http/validator-compiler.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { expectProblem } from '../support/task-helpers.ts';
import { eventually } from '../support/test-database.ts';

let api: RunningApi;
let document: {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: { Problem: object } };
};
beforeAll(async () => {
  api = await startApi();
  document = (await (await fetch(`${api.baseUrl}/openapi.json`)).json()) as typeof document;
});
afterAll(() => api?.close());

const ajv = createAjv({ strict: false, coerceTypes: false });
const fitsProblemSchema = (problem: unknown) => {
  const schema = JSON.parse(JSON.stringify(document.components.schemas.Problem)) as object;
  return ajv.validate(schema, problem) ? 'fits' : ajv.errorsText(ajv.errors);
};

/** A request as written (node:http with a path: a URL would normalise it). */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<{ status: number; type: string; json: Record<string, unknown> }>((resolve, reject) => {
    const { hostname, port } = new URL(api.baseUrl);
    const request = http.request({ hostname, port, path, method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: response.headers['content-type'] ?? '',
          json: JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('a users cursor the API did not write', () => {
  it('is 400 INVALID_CURSOR, never a 500 (AAAA is three NUL bytes, which PostgreSQL text cannot hold)', async () => {
    for (const cursor of ['AAAA', 'AA', 'eB', '_w', '____', Buffer.from('a\u0000b').toString('base64url')]) {
      const response = await api.request('carol', 'GET', `/users?cursor=${cursor}`);
      expect(response.status, cursor).toBe(400);
      await expectProblem(response, 400, 'INVALID_CURSOR');
    }
  });

  it('a next_cursor the API gave still pages on', async () => {
    for (const user of ['alice', 'bob', 'carol'] as const) await api.request(user, 'GET', '/tasks');
    // The directory records a caller after answering it: wait until a page of one has a next.
    let first: { next_cursor: string | null } = { next_cursor: null };
    await eventually(async () => {
      first = (await (await api.request('carol', 'GET', '/users?limit=1')).json()) as typeof first;
      return first.next_cursor !== null;
    }, 'a second person in the directory');
    const next = await api.request('carol', 'GET', `/users?limit=1&cursor=${first.next_cursor}`);
    expect(next.status).toBe(200);
  });
});

describe('answers the document lists', () => {
  it('a request line and headers over 16 KiB: a 431 problem, documented for every operation', async () => {
    const answer = await raw('GET', '/tasks', { 'x-padding': 'x'.repeat(20_000) });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(fitsProblemSchema(answer.json)).toBe('fits');
    for (const [route, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations))
        expect(Object.keys(operation.responses), `${method} ${route}`).toEqual(
          expect.arrayContaining(['400', '408', '431']),
        );
  });

  it('a back-channel logout body over its limit: a 413 problem, documented for it', async () => {
    const body = Buffer.from(`logout_token=${'a'.repeat(70_000)}`);
    const answer = await raw(
      'POST',
      '/auth/backchannel-logout',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    );
    expect(answer.status).toBe(413);
    expect(fitsProblemSchema(answer.json)).toBe('fits');
    expect(Object.keys(document.paths['/auth/backchannel-logout']?.post?.responses ?? {})).toContain('413');
  });
});

describe('problems within their own schema', () => {
  it("a path over 2,048 characters: the problem's instance is cut to 2,048, never inside an escape", async () => {
    for (const path of [`/tasks/${'%F0%9F%98%80'.repeat(300)}`, `/tasks/${'a'.repeat(2_041)}%F0%9F%98%80`]) {
      const answer = await raw('GET', path, { authorization: `Bearer ${await api.oidc.token('bob')}` });
      expect(answer.status).toBe(404);
      expect(fitsProblemSchema(answer.json)).toBe('fits');
      const instance = String(answer.json.instance);
      expect(instance.length).toBeLessThanOrEqual(2_048);
      expect(instance).not.toMatch(/%[0-9A-F]?$/);
      expect(path.startsWith(instance)).toBe(true);
    }
  });

  it('an unknown query parameter whose name is not visible ASCII is named percent-encoded, whole, within 255 characters', async () => {
    const names = ['two words', 'ünï', 'a/b', 'x'.repeat(300)];
    const query = names.map((name) => `${encodeURIComponent(name)}=1`).join('&');
    const problem = await expectProblem(
      await api.request('bob', 'GET', `/tasks?${query}`),
      422,
      'VALIDATION_FAILED',
    );
    expect(fitsProblemSchema(problem)).toBe('fits');
    expect(problem.errors?.map((error) => error.parameter)).toEqual([
      'two%20words',
      '%C3%BCn%C3%AF',
      'a/b',
      `${'x'.repeat(252)}...`,
    ]);
  });
});
