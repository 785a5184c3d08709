/**
 * The security suite: each attack is a real request against the running API,
 * and each checks the answer AND that no task row changed (the rows are read
 * straight from the test database before and after). Covers every way a
 * token can be missing or forged, roles, ownership, the admin-only field,
 * injection in every parameter and body field, the abuse limits (rate limit,
 * body size), security headers and CORS. Key rotation: key-rotation.test.ts.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type RunningApi, startApi } from '../support/api-harness.ts';
import type { MintOptions } from '../support/oidc-fixture.ts';
import {
  createTask,
  expectProblem,
  listAll,
  operationsOn,
  queryOf,
  subOf,
  type Task,
  taskRows,
} from '../support/task-helpers.ts';

let api: RunningApi;
let bobsTask: Task;
beforeAll(async () => {
  api = await startApi();
  bobsTask = await createTask(api, 'bob', { title: "bob's task", description: 'private' });
  await createTask(api, 'dave', { title: "dave's task" });
  await createTask(api, 'alice', { title: "alice's task", owner_id: subOf('alice') });
});
afterAll(() => api?.close());

const now = () => Math.floor(Date.now() / 1000);
const bobToken = (options: MintOptions) => api.oidc.token('bob', options);
const withAuthorization = (authorization: string | undefined, method: string, path: string, json?: unknown) =>
  api.request(undefined, method, path, { json, headers: authorization ? { authorization } : {} });

/** Runs the attack and fails unless every task row is exactly as it was before. */
async function expectNoChange(attack: () => Promise<void>) {
  const before = await taskRows(api);
  await attack();
  expect(await taskRows(api)).toEqual(before);
}

/** The RSA public key the API trusts, as the PEM text a naive HS256 verifier would take as its secret. */
async function publishedKeyPem(): Promise<string> {
  const { keys } = await bodyOf<{ keys: Record<string, string>[] }>(
    await fetch(`${api.oidc.issuer}/protocol/openid-connect/certs`),
  );
  return createPublicKey({ key: keys[0] as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

describe('tokens: every operation is 401 with a Bearer challenge, and nothing changes', () => {
  const invalidTokens: [string, () => Promise<string>][] = [
    ['a garbage token', async () => 'not-a-jwt'],
    ['a token of three garbage parts', async () => 'aaa.bbb.ccc'],
    [
      'an unsigned token (alg none)',
      async () => {
        const payload = (await api.oidc.token('alice')).split('.')[1];
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      },
    ],
    [
      'an HS256 token signed with the RSA public key as the secret',
      async () => {
        const claims = JSON.parse(
          Buffer.from((await api.oidc.token('alice')).split('.')[1] ?? '', 'base64url').toString(),
        );
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'fixture-key-1' })
          .sign(new TextEncoder().encode(await publishedKeyPem()));
      },
    ],
    ['a token from another issuer', () => bobToken({ claims: { iss: 'http://127.0.0.1:9/realms/evil' } })],
    ['a token for another audience', () => bobToken({ claims: { aud: 'other-api', azp: 'other-cli' } })],
    ['an expired token', () => bobToken({ claims: { iat: now() - 600, exp: now() - 120 } })],
    ['an expired admin token', () => api.oidc.token('alice', { claims: { exp: now() - 120 } })],
    ['a token not valid yet (nbf in the future)', () => bobToken({ claims: { nbf: now() + 600 } })],
    ['a token whose kid is not in the JWKS', () => bobToken({ kid: 'no-such-key' })],
    ['a token signed by a second, unrelated key pair', () => bobToken({ unpublishedKey: true })],
    [
      'a token signed by another key under the published kid',
      () => bobToken({ unpublishedKey: true, kid: 'fixture-key-1' }),
    ],
    ['a token without exp', () => bobToken({ claims: { exp: undefined } })],
    ['a token without sub', () => bobToken({ claims: { sub: undefined } })],
    ['a refresh token (typ Refresh)', () => bobToken({ claims: { typ: 'Refresh' } })],
    [
      'a token whose payload was altered after signing (user made admin)',
      async () => {
        const [header, payload, signature] = (await api.oidc.token('bob')).split('.');
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
        claims.realm_access = { roles: ['admin'] };
        return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      },
    ],
  ];

  it('no token: 401 UNAUTHENTICATED with a Bearer challenge naming no error', async () => {
    await expectNoChange(async () => {
      for (const [method, path, json] of operationsOn(bobsTask.id)) {
        const response = await withAuthorization(undefined, method, path, json);
        const challenge = response.headers.get('www-authenticate');
        await expectProblem(response, 401, 'UNAUTHENTICATED');
        expect(challenge, `${method} ${path}`).toMatch(/^Bearer\b/);
        expect(challenge).not.toContain('error=');
      }
    });
  });

  it.each(invalidTokens)('%s: 401 INVALID_TOKEN with error="invalid_token"', async (_name, mint) => {
    const token = await mint();
    await expectNoChange(async () => {
      for (const [method, path, json] of operationsOn(bobsTask.id)) {
        const response = await withAuthorization(`Bearer ${token}`, method, path, json);
        const challenge = response.headers.get('www-authenticate');
        await expectProblem(response, 401, 'INVALID_TOKEN');
        expect(challenge, `${method} ${path}`).toMatch(/^Bearer\b/);
        expect(challenge).toContain('error="invalid_token"');
      }
    });
  });
});

describe('roles and ownership', () => {
  it('a valid token with no role is 403 on every operation', async () => {
    await expectNoChange(async () => {
      for (const [method, path, json] of operationsOn(bobsTask.id)) {
        await expectProblem(await api.request('erin', method, path, { json }), 403, 'FORBIDDEN');
      }
    });
  });

  it('a viewer creating, replacing, patching or deleting is 403', async () => {
    await expectNoChange(async () => {
      for (const [method, path, json] of operationsOn(bobsTask.id).filter(([m]) => m !== 'GET')) {
        await expectProblem(await api.request('carol', method, path, { json }), 403, 'FORBIDDEN');
      }
    });
  });

  it("a user reading, changing or deleting another user's task gets 404, and never lists it", async () => {
    await expectNoChange(async () => {
      for (const [method, path, json] of operationsOn(bobsTask.id).filter(([, p]) => p !== '/tasks')) {
        await expectProblem(await api.request('dave', method, path, { json }), 404, 'TASK_NOT_FOUND');
      }
      expect((await listAll(api, 'dave')).map((task) => task.id)).not.toContain(bobsTask.id);
      expect(await listAll(api, 'dave', { q: "bob's" })).toEqual([]);
    });
  });

  it.each([
    ['POST', '/tasks', { title: 'for dave', owner_id: subOf('dave') }],
    ['PUT', 'own', { title: 'given away', owner_id: subOf('dave') }],
    ['PATCH', 'own', { owner_id: subOf('dave') }],
  ])('a user setting owner_id (admin only) by %s is 403', async (method, path, json) => {
    await expectNoChange(async () => {
      const target = path === 'own' ? `/tasks/${bobsTask.id}` : path;
      await expectProblem(await api.request('bob', method, target, { json }), 403, 'FORBIDDEN');
    });
  });

  it.each(['id', 'version', 'created_at', 'updated_at'])(
    'a user sending the server-assigned field %s is 422',
    async (field) => {
      await expectNoChange(async () => {
        const json = { [field]: field === 'version' ? 99 : '2000-01-01T00:00:00Z' };
        await expectProblem(await api.request('bob', 'PATCH', `/tasks/${bobsTask.id}`, { json }), 422);
      });
    },
  );
});

describe('injection', () => {
  const SQL = [
    "' OR '1'='1",
    "'; DROP TABLE tasks; --",
    '1; DELETE FROM tasks',
    "x' UNION SELECT * FROM outbox--",
  ];
  const JSON_TEXT = ['{"$ne":null}', '{"$gt":""}', '[]', '"\\u0000"'];
  const PARAMETERS = [
    'skip',
    'limit',
    'cursor',
    'status',
    'owner_id',
    'created_after',
    'created_before',
    'q',
    'sort',
  ];

  it.each(PARAMETERS)(
    'every injection string in the %s query parameter is refused or matched as text',
    async (name) => {
      await expectNoChange(async () => {
        for (const value of [...SQL, ...JSON_TEXT]) {
          const response = await api.request('alice', 'GET', `/tasks${queryOf({ [name]: value })}`);
          if ((name === 'q' || name === 'owner_id') && response.status === 200) {
            // Free text: a valid search (q needs 3+ characters, else 422) that finds nothing.
            expect((await bodyOf<{ items: Task[] }>(response)).items, `${name}=${value}`).toEqual([]);
          } else {
            expect(response.status, `${name}=${value}`).toBeGreaterThanOrEqual(400);
            await expectProblem(response, response.status);
          }
        }
      });
    },
  );

  it.each(['status', 'owner_id'])('every injection string as the %s body field is 4xx', async (field) => {
    await expectNoChange(async () => {
      for (const value of [...SQL, ...JSON_TEXT]) {
        for (const [method, path] of [
          ['POST', '/tasks'],
          ['PATCH', `/tasks/${bobsTask.id}`],
        ] as const) {
          const response = await api.request('bob', method, path, { json: { title: 'x', [field]: value } });
          expect(response.status, `${method} ${field}=${value}`).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        }
      }
    });
  });

  it.each(['title', 'description'])(
    'every injection string as the %s is stored as plain text',
    async (field) => {
      const task = await createTask(api, 'bob', { title: 'injection target' });
      const others = (await taskRows(api)).filter((row) => row.id !== task.id);
      for (const value of [...SQL, ...JSON_TEXT.filter((text) => !text.includes('u0000'))]) {
        const response = await api.request('bob', 'PATCH', `/tasks/${task.id}`, { json: { [field]: value } });
        expect(response.status).toBe(200);
        expect((await bodyOf<Record<string, unknown>>(response))[field]).toBe(value);
      }
      expect((await taskRows(api)).filter((row) => row.id !== task.id)).toEqual(others);
    },
  );

  it.each([
    ['an object where a string belongs', '{"title":{"$ne":null}}'],
    ['an array where a string belongs', '{"title":"x","status":["done"]}'],
    ['__proto__ carrying owner_id', `{"title":"x","__proto__":{"owner_id":"${subOf('dave')}"}}`],
    ['constructor.prototype', '{"title":"x","constructor":{"prototype":{"owner_id":"x"}}}'],
    ['a number where a string belongs', '{"title":1}'],
    ['a body that is a JSON string', '"title"'],
  ])('JSON injection, %s, is 4xx', async (_name, body) => {
    await expectNoChange(async () => {
      for (const [method, path] of [
        ['POST', '/tasks'],
        ['PUT', `/tasks/${bobsTask.id}`],
        ['PATCH', `/tasks/${bobsTask.id}`],
      ] as const) {
        const response = await api.request('bob', method, path, {
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status, `${method} ${body}`).toBeGreaterThanOrEqual(400);
        await expectProblem(response, response.status);
      }
    });
  });
});

describe('body size', () => {
  it('a body over 64 KiB is 413 on every write, before anything is stored', async () => {
    await expectNoChange(async () => {
      const json = { title: 'huge', description: 'x'.repeat(70 * 1024) };
      for (const [method, path] of [
        ['POST', '/tasks'],
        ['PUT', `/tasks/${bobsTask.id}`],
        ['PATCH', `/tasks/${bobsTask.id}`],
      ] as const) {
        await expectProblem(await api.request('bob', method, path, { json }), 413, 'PAYLOAD_TOO_LARGE');
      }
    });
  });
});

describe('rate limit', () => {
  let limited: RunningApi;
  beforeAll(async () => {
    limited = await startApi({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(() => limited?.close());

  it('the request after RATE_LIMIT_MAX in a window is 429 with Retry-After, and changes nothing', async () => {
    for (let i = 0; i < 3; i++) expect((await limited.request('bob', 'GET', '/tasks')).status).toBe(200);
    const before = await taskRows(limited);
    const response = await limited.request('bob', 'POST', '/tasks', { json: { title: 'over the limit' } });
    const retryAfter = Number(response.headers.get('retry-after'));
    await expectProblem(response, 429, 'RATE_LIMITED');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await taskRows(limited)).toEqual(before);
  });

  it('the limit is per caller: another user is still served', async () => {
    expect((await limited.request('dave', 'GET', '/tasks')).status).toBe(200);
  });

  it('callers without a valid token are limited by address, before the token is checked', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      // X-Forwarded-For is not believed unless TRUST_PROXY names the proxy: a client cannot pick its bucket.
      const headers = { 'x-forwarded-for': `203.0.113.${i}` };
      statuses.push((await limited.request(undefined, 'GET', '/tasks', { headers })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('behind a trusted proxy (TRUST_PROXY) each client address has its own count', async () => {
    const proxied = await startApi({ RATE_LIMIT_MAX: '1', TRUST_PROXY: '127.0.0.1' });
    try {
      const from = (address: string) =>
        proxied.request(undefined, 'GET', '/tasks', { headers: { 'x-forwarded-for': address } });
      expect((await from('203.0.113.1')).status).toBe(401);
      expect((await from('203.0.113.2')).status).toBe(401);
      await expectProblem(await from('203.0.113.1'), 429, 'RATE_LIMITED');
    } finally {
      await proxied.close();
    }
  });

  it('health, readiness and metrics are never limited', async () => {
    for (let i = 0; i < 10; i++) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        expect((await fetch(`${limited.baseUrl}${path}`)).status, path).toBe(200);
      }
    }
  });

  it('with REDIS_URL the count is shared by every instance', async () => {
    const env = {
      RATE_LIMIT_MAX: '3',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `security-${randomBytes(4).toString('hex')}:`,
    };
    const first = await startApi(env);
    const second = await startApi(env, { database: first.database, oidc: first.oidc });
    try {
      const statuses = [];
      for (const instance of [first, second, first, second]) {
        statuses.push((await instance.request('carol', 'GET', '/tasks')).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('headers', () => {
  it.each([
    ['a listing', 'bob', '/tasks'],
    ['a problem', undefined, '/tasks'],
    ['a health check', undefined, '/healthz'],
  ] as const)('%s carries the security headers of a JSON API', async (_name, user, path) => {
    const { headers } = await api.request(user, 'GET', path);
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(headers.get('x-powered-by')).toBeNull();
  });

  it('the docs page may load its own scripts and reach the identity provider, nothing else', async () => {
    const response = await fetch(`${api.baseUrl}/docs/`, { redirect: 'follow' });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self'`);
    expect(csp).toContain(new URL(api.oidc.issuer).origin);
    expect(csp).toContain("object-src 'none'");
  });
});

describe('CORS', () => {
  const preflight = (baseUrl: string, origin: string) =>
    fetch(`${baseUrl}/tasks`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });

  it('closed by default: no origin is allowed', async () => {
    const response = await api.request('bob', 'GET', '/tasks', {
      headers: { origin: 'https://app.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(
      (await preflight(api.baseUrl, 'https://app.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });

  describe('with CORS_ORIGINS', () => {
    let open: RunningApi;
    beforeAll(async () => {
      open = await startApi({ CORS_ORIGINS: 'https://app.example, http://localhost:5173' });
    });
    afterAll(() => open?.close());

    it('an allowed origin gets Access-Control-Allow-Origin and its preflight passes', async () => {
      const response = await open.request('bob', 'GET', '/tasks', {
        headers: { origin: 'https://app.example' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(response.headers.get('access-control-expose-headers')).toContain('etag');
      const allowed = await preflight(open.baseUrl, 'http://localhost:5173');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    });

    it('a disallowed origin gets no Access-Control-Allow-Origin', async () => {
      const response = await open.request('bob', 'GET', '/tasks', {
        headers: { origin: 'https://evil.example' },
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const refused = await preflight(open.baseUrl, 'https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
