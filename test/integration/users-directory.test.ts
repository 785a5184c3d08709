/**
 * The directory of people the API has seen (GET /users, migration 020):
 * filled from the claims of verified access tokens, written only when they
 * change (not once per request), and readable by admins and viewers only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infra/db/database.ts';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import { expectProblem, subOf } from '../support/task-helpers.ts';
import { databaseFor, eventually } from '../support/test-database.ts';

interface UserPage {
  items: { sub: string; name: string | null; email: string | null }[];
  next_cursor: string | null;
}

let api: RunningApi;
let db: Database;

beforeAll(async () => {
  api = await startApi();
  db = databaseFor(api.database.url);
});

afterAll(async () => {
  await db?.close();
  await api?.close();
});

const bearer = async (token: string, path = '/tasks') => {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
};

async function directory(query = ''): Promise<UserPage> {
  const response = await api.request('carol', 'GET', `/users${query}`);
  expect(response.status).toBe(200);
  return bodyOf<UserPage>(response);
}

const rowOf = async (sub: string) =>
  (
    await db.primary.query<{ name: string; email: string; updated_at: Date; xmin: string }>(
      'SELECT name, email, updated_at, xmin::text FROM users WHERE sub = $1',
      [sub],
    )
  ).rows[0];

describe('the user directory', () => {
  it('records a caller from their token: sub, name, e-mail; admins and viewers read it, users and callers without a role do not', async () => {
    expect((await api.request('bob', 'GET', '/tasks')).status).toBe(200);
    await eventually(async () => (await rowOf(subOf('bob'))) !== undefined, 'bob in the directory');
    const page = await directory();
    expect(page.items).toContainEqual({ sub: subOf('bob'), name: 'bob', email: 'bob@example.test' });
    expect((await api.request('alice', 'GET', '/users')).status).toBe(200);
    await expectProblem(await api.request('bob', 'GET', '/users'), 403, 'FORBIDDEN');
    await expectProblem(await api.request(undefined, 'GET', '/users'), 401, 'UNAUTHENTICATED');
    // erin has no role in the application: she is refused, and not listed.
    expect((await api.request('erin', 'GET', '/tasks')).status).toBe(403);
    expect((await directory()).items.map((user) => user.sub)).not.toContain(subOf('erin'));
  });

  it('costs no write per request: the same claims again leave the row untouched; changed claims update it', async () => {
    expect((await api.request('dave', 'GET', '/tasks')).status).toBe(200);
    await eventually(async () => (await rowOf(subOf('dave'))) !== undefined, 'dave in the directory');
    const first = await rowOf(subOf('dave'));
    for (let i = 0; i < 5; i++) expect((await api.request('dave', 'GET', '/tasks')).status).toBe(200);
    // A new token (new jti) with the same claims: nothing to record either.
    expect(await bearer(await api.oidc.token('dave'))).toBe(200);
    expect(await rowOf(subOf('dave'))).toEqual(first);

    const renamed = await api.oidc.token('dave', {
      claims: { name: 'Dave Jones', email: 'dave@new.example' },
    });
    expect(await bearer(renamed)).toBe(200);
    await eventually(
      async () => (await rowOf(subOf('dave')))?.email === 'dave@new.example',
      'the new address',
    );
    expect(await rowOf(subOf('dave'))).toMatchObject({ name: 'Dave Jones', email: 'dave@new.example' });
    // A token without the e-mail claim does not forget the address.
    expect(
      await bearer(await api.oidc.token('dave', { claims: { email: undefined, name: 'Dave Jones' } })),
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rowOf(subOf('dave')))?.email).toBe('dave@new.example');
  });

  it('pages in sub order with next_cursor; limit is bounded; unknown parameters are refused', async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave'] as const) await api.request(user, 'GET', '/tasks');
    await eventually(async () => (await directory()).items.length >= 4, 'four users');
    const all = (await directory()).items.map((user) => user.sub);
    expect(all).toEqual([...all].sort());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: UserPage = await directory(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((user) => user.sub));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    await expectProblem(await api.request('carol', 'GET', '/users?limit=101'), 422, 'VALIDATION_FAILED');
    await expectProblem(await api.request('carol', 'GET', '/users?sort=name'), 422, 'VALIDATION_FAILED');
  });

  it('is documented in the OpenAPI document', async () => {
    const document = await bodyOf<{ paths: Record<string, Record<string, { operationId: string }>> }>(
      await fetch(`${api.baseUrl}/openapi.json`),
    );
    expect(document.paths['/users']?.get?.operationId).toBe('listUsers');
  });
});
