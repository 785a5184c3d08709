/**
 * End to end against the running stack (`npm run stack`), as users reach it:
 * HTTPS through NGINX to two API instances, tokens from the identity
 * provider through the same door, the worker mailing each new task's owner.
 * The docs/api.md flow for each role, then what NGINX adds (TLS, redirect,
 * hidden /metrics, load balancing) and one request traced by its id from
 * NGINX's access log through the API's log to the worker's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STACK_DIR, STACK_PORTS } from '../../scripts/stack/stack-layout.ts';
import type { TaskPage } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { linkedTaskIds } from '../support/mail-links.ts';
import { TEST_USERS } from '../support/oidc-fixture.ts';
import { asUser, passwordGrant, stackFetch } from '../support/stack-client.ts';
import { eventually } from '../support/test-database.ts';

const sub = (user: keyof typeof TEST_USERS) => TEST_USERS[user].sub;
const unique = `e2e-${Date.now().toString(36)}`;
/** The stack's replica applies WAL 3 s late; others' changes reach a reader within that and a few polls. */
const REPLICA_LAG_MS = 10_000;

async function created(user: 'alice' | 'bob' | 'dave', body: Record<string, unknown>): Promise<Task> {
  const response = await asUser(user, 'POST', '/tasks', { json: body });
  expect(response.status, await response.clone().text()).toBe(201);
  expect(response.headers.get('location')).toMatch(/^\/tasks\/[0-9a-f-]{36}$/);
  return (await response.json()) as Task;
}

const listing = async (user: 'alice' | 'bob' | 'carol' | 'dave', query: string) => {
  const response = await asUser(user, 'GET', `/tasks?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as TaskPage;
};

describe('the docs/api.md flow through NGINX over HTTPS', () => {
  it('a user creates, reads, lists, replaces, patches and deletes their own tasks, and never sees another user’s', async () => {
    const mine = await created('bob', { title: `${unique} bob's`, description: 'first' });
    expect(mine).toMatchObject({ owner_id: sub('bob'), status: 'todo', version: 1 });
    const davesTask = await created('dave', { title: `${unique} dave's` });

    const read = await asUser('bob', 'GET', `/tasks/${mine.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect((await asUser('bob', 'GET', `/tasks/${davesTask.id}`)).status).toBe(404);

    const bobsPage = await listing('bob', `q=${unique}&limit=100`);
    expect(bobsPage.items.map((task) => task.id)).toEqual([mine.id]);

    const replaced = await asUser('bob', 'PUT', `/tasks/${mine.id}`, {
      json: { title: `${unique} replaced`, description: null, status: 'in_progress' },
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.status).toBe(200);
    const stale = await asUser('bob', 'PATCH', `/tasks/${mine.id}`, {
      json: { status: 'done' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const patched = await asUser('bob', 'PATCH', `/tasks/${mine.id}`, {
      json: { status: 'done' },
      headers: { 'if-match': '"2"' },
    });
    expect(await patched.json()).toMatchObject({ status: 'done', version: 3, title: `${unique} replaced` });

    expect(
      (await asUser('bob', 'PATCH', `/tasks/${davesTask.id}`, { json: { status: 'done' } })).status,
    ).toBe(404);
    expect((await asUser('bob', 'DELETE', `/tasks/${davesTask.id}`)).status).toBe(404);
    expect(
      (await asUser('bob', 'POST', '/tasks', { json: { title: 'x', owner_id: sub('dave') } })).status,
    ).toBe(403);
    expect((await asUser('bob', 'DELETE', `/tasks/${mine.id}`)).status).toBe(204);
    expect((await asUser('bob', 'DELETE', `/tasks/${mine.id}`)).status).toBe(404);
    expect((await asUser('dave', 'GET', `/tasks/${davesTask.id}`)).status).toBe(200);
  });

  it('an admin sees and changes every task, and may give one to another owner', async () => {
    const bobs = await created('bob', { title: `${unique} for the admin` });
    const forDave = await created('alice', { title: `${unique} alice's gift`, owner_id: sub('dave') });
    expect(forDave.owner_id).toBe(sub('dave'));
    const page = await listing('alice', `q=${unique}&limit=100`);
    expect(page.items.map((task) => task.id)).toEqual(expect.arrayContaining([bobs.id, forDave.id]));
    const moved = await asUser('alice', 'PATCH', `/tasks/${bobs.id}`, { json: { owner_id: sub('dave') } });
    expect(await moved.json()).toMatchObject({ owner_id: sub('dave'), version: 2 });
    // Another's change reaches bob within the replica's lag (docs/read-path.md: only the writer
    // is sent to the primary; the stack's replica applies WAL 3 s late).
    await eventually(
      async () => (await asUser('bob', 'GET', `/tasks/${bobs.id}`)).status === 404,
      'bob no longer sees the task the admin gave dave',
      REPLICA_LAG_MS,
    );
    expect((await asUser('alice', 'DELETE', `/tasks/${forDave.id}`)).status).toBe(204);
  });

  it('a viewer reads everything and writes nothing; no role is 403; no token is 401', async () => {
    const bobs = await created('bob', { title: `${unique} viewed` });
    // carol wrote nothing: her reads go to the replica, which has bob's task within its lag.
    await eventually(
      async () => (await asUser('carol', 'GET', `/tasks/${bobs.id}`)).status === 200,
      'carol reads the task bob created',
      REPLICA_LAG_MS,
    );
    expect((await listing('carol', `owner_id=${sub('bob')}&limit=5`)).items.length).toBeGreaterThan(0);
    for (const [method, requestPath, json] of [
      ['POST', '/tasks', { title: 'no' }],
      ['PATCH', `/tasks/${bobs.id}`, { status: 'done' }],
      ['PUT', `/tasks/${bobs.id}`, { title: 'no', description: null, status: 'done' }],
      ['DELETE', `/tasks/${bobs.id}`, undefined],
    ] as const)
      expect((await asUser('carol', method, requestPath, { json })).status, method).toBe(403);
    expect(await (await asUser('bob', 'GET', `/tasks/${bobs.id}`)).json()).toEqual(bobs);

    expect((await asUser('erin', 'GET', '/tasks')).status).toBe(403);
    const anonymous = await asUser(undefined, 'GET', '/tasks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refresh tokens work through NGINX', async () => {
    const { refresh_token } = await passwordGrant('dave');
    const response = await stackFetch('/realms/tasks/protocol/openid-connect/token', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'tasks-cli', refresh_token }),
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    const tasks = await stackFetch('/tasks?limit=1', {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(tasks.status).toBe(200);
  });

  it("a created task's e-mail reaches its owner, and its request id is in NGINX's, the API's and the worker's logs", async () => {
    const requestId = `${unique}-trace`;
    const response = await asUser('bob', 'POST', '/tasks', {
      json: { title: `${unique} mail me` },
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const task = (await response.json()) as Task;

    const mailDir = path.join(STACK_DIR, 'worker/mail');
    const mails = () =>
      existsSync(mailDir)
        ? readdirSync(mailDir)
            // Task e-mails only (named by their event's Message-ID): a daily digest links tasks too.
            .filter((name) => name.endsWith('@tasks.events.eml'))
            .map((name) => readFileSync(path.join(mailDir, name), 'utf8'))
        : [];
    await eventually(
      () => mails().some((mail) => linkedTaskIds(mail).includes(task.id)),
      'the e-mail of the new task',
      30_000,
    );
    const mail = mails().find((text) => linkedTaskIds(text).includes(task.id)) ?? '';
    expect(mail).toMatch(/^To: bob@example\.test/m);

    const logsWith = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.log'))
        .some((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8').includes(requestId));
    const logs = path.join(STACK_DIR, 'logs');
    await eventually(
      () => logsWith(path.join(logs, 'worker')),
      'the worker logging the event with its request id',
      30_000,
    );
    await eventually(
      () => readFileSync(path.join(logs, 'nginx-access.log'), 'utf8').includes(requestId),
      "NGINX's access log",
    );
    expect(logsWith(path.join(logs, 'api-1')) || logsWith(path.join(logs, 'api-2'))).toBe(true);
  });
});

describe('what NGINX adds', () => {
  it('redirects HTTP to HTTPS, hides /metrics, and refuses TLS below 1.2', async () => {
    const plain = await fetch(`http://localhost:${STACK_PORTS.http}/tasks?limit=1`, { redirect: 'manual' });
    expect(plain.status).toBe(308);
    expect(plain.headers.get('location')).toBe(`https://localhost:${STACK_PORTS.https}/tasks?limit=1`);
    expect((await stackFetch('/metrics')).status).toBe(404);
    const handshake = await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: STACK_PORTS.https,
        rejectUnauthorized: false,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
      });
      socket.once('secureConnect', () => resolve(`connected with ${socket.getProtocol()}`));
      socket.once('error', (error) => resolve(`refused: ${error.message}`));
    });
    expect(handshake).toMatch(/^refused/);
  });

  it('spreads requests over both API instances, and answers an oversize body with problem+json 413', async () => {
    await Promise.all(Array.from({ length: 20 }, () => asUser('carol', 'GET', '/tasks?limit=1')));
    const access = readFileSync(path.join(STACK_DIR, 'logs/nginx-access.log'), 'utf8')
      .trim()
      .split('\n')
      .slice(-40);
    const upstreams = new Set(access.map((line) => (JSON.parse(line) as { upstream: string }).upstream));
    for (const port of STACK_PORTS.apis) expect(upstreams).toContain(`127.0.0.1:${port}`);

    const big = await asUser('bob', 'POST', '/tasks', {
      json: { title: 'x', description: 'y'.repeat(70_000) },
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('Prometheus in the stack', () => {
  it('scrapes both API instances and the worker, with the alert rules loaded', async () => {
    const prometheus = `http://127.0.0.1:${STACK_PORTS.prometheus}`;
    await eventually(
      async () => {
        const { data } = (await (await fetch(`${prometheus}/api/v1/targets`)).json()) as {
          data: { activeTargets: { labels: { job: string; instance: string }; health: string }[] };
        };
        const up = data.activeTargets
          .filter((target) => target.health === 'up')
          .map((target) => target.labels.instance);
        return [
          ...STACK_PORTS.apis.map((port) => `127.0.0.1:${port}`),
          `127.0.0.1:${STACK_PORTS.workerMetrics}`,
        ].every((instance) => up.includes(instance));
      },
      'every target up (scrape interval 5 s)',
      30_000,
    );
    const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((group) => group.rules);
    const ruleFiles = readdirSync(path.resolve(import.meta.dirname, '../../deploy/prometheus/rules'));
    const defined = ruleFiles.flatMap((file) =>
      (
        parse(
          readFileSync(path.resolve(import.meta.dirname, '../../deploy/prometheus/rules', file), 'utf8'),
        ) as { groups: { rules: unknown[] }[] }
      ).groups.flatMap((group) => group.rules),
    );
    expect(loaded.length).toBe(defined.length);
    expect(loaded.every((rule) => rule.health !== 'err')).toBe(true);
    const query = await fetch(
      `${prometheus}/api/v1/query?query=${encodeURIComponent('sum(http_request_duration_seconds_count{job="tasks-api"})')}`,
    );
    const result = (await query.json()) as { data: { result: { value: [number, string] }[] } };
    expect(Number(result.data.result[0]?.value[1])).toBeGreaterThan(0);
  });
});
