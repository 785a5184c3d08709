/**
 * A task's history (GET /tasks/{id}/history): every write an entry, newest
 * first, cursor-paged without gaps or repeats; readable by whoever may read
 * the task, and by admins only once it is deleted. Its hash chain: the
 * verify command holds on untouched data and names the first broken link
 * when an entry is altered or removed in the database; pruning keeps what
 * is left verifiable, and later writes chain on.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pruneHistory, verifyChains } from '../../src/modules/history/history.chain.ts';
import type { TaskHistoryPage } from '../../src/modules/history/history.schemas.ts';
import { bodyOf, useApiWithDatabase } from '../support/api-harness.ts';
import type { TestUser } from '../support/oidc-fixture.ts';
import { createTask, subOf } from '../support/task-helpers.ts';

const running = useApiWithDatabase();

async function historyOf(user: TestUser, id: string, query = '') {
  const response = await running.api.request(user, 'GET', `/tasks/${id}/history${query}`);
  return { status: response.status, body: await bodyOf<TaskHistoryPage>(response) };
}

const patch = (user: TestUser, id: string, json: object) =>
  running.api.request(user, 'PATCH', `/tasks/${id}`, { json }).then((response) => {
    expect(response.status).toBe(200);
  });

/** `npm run history:verify` against the test database. */
async function verifyCommand(taskId?: string) {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/history.ts', 'verify', ...(taskId ? [taskId] : [])],
      { env: { ...process.env, DATABASE_URL: running.api.database.url, LOG_LEVEL: 'silent' } },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('GET /tasks/{id}/history', () => {
  it('pages every change newest first, with actor, request and each change before and after', async () => {
    const task = await createTask(running.api, 'bob', { title: 'v1' }, { 'x-request-id': 'req-history-1' });
    await patch('bob', task.id, { title: 'v2' });
    await patch('bob', task.id, { status: 'in_progress' });
    await patch('alice', task.id, { status: 'done' });

    const first = await historyOf('bob', task.id, '?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((entry) => entry.version)).toEqual([4, 3, 2]);
    expect(first.body.items[0]).toMatchObject({
      type: 'task.updated',
      actor_id: subOf('alice'),
      owner_id: subOf('bob'),
      changes: { status: { before: 'in_progress', after: 'done' } },
    });
    expect(first.body.next_cursor).not.toBeNull();
    const second = await historyOf('bob', task.id, `?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((entry) => entry.version)).toEqual([1]);
    expect(second.body.next_cursor).toBeNull();
    const created = second.body.items[0];
    expect(created).toMatchObject({ type: 'task.created', request_id: 'req-history-1', prev_hash: null });
    // Each entry names the one before it.
    const entries = [...first.body.items, ...second.body.items];
    for (const [i, entry] of entries.slice(0, -1).entries())
      expect(entry.prev_hash).toBe(entries[i + 1]?.hash);
  });

  it('is 404 to whoever may not read the task, and readable to a viewer', async () => {
    const task = await createTask(running.api, 'bob', { title: 'private' });
    expect((await historyOf('dave', task.id)).status).toBe(404);
    expect((await historyOf('carol', task.id)).status).toBe(200);
    expect((await historyOf('bob', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await historyOf('bob', 'not-a-uuid')).status).toBe(404);
  });

  it('after the task is deleted, admins still read it (deletion included) and nobody else does', async () => {
    const task = await createTask(running.api, 'bob', { title: 'audited' });
    expect((await running.api.request('bob', 'DELETE', `/tasks/${task.id}`)).status).toBe(204);
    expect((await historyOf('bob', task.id)).status).toBe(404);
    expect((await historyOf('carol', task.id)).status).toBe(404);
    const admin = await historyOf('alice', task.id);
    expect(admin.status).toBe(200);
    expect(admin.body.items.map((entry) => [entry.version, entry.type])).toEqual([
      [2, 'task.deleted'],
      [1, 'task.created'],
    ]);
  });

  it('a cursor it did not issue is a 400 problem', async () => {
    const task = await createTask(running.api, 'bob', { title: 'cursor' });
    const response = await running.api.request('bob', 'GET', `/tasks/${task.id}/history?cursor=bm9wZQ`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('the hash chain', () => {
  it('pruning keeps what is left verifiable, and later writes chain on from the anchor', async () => {
    const task = await createTask(running.api, 'bob', { title: 'long lived' });
    await patch('bob', task.id, { title: 'long lived 2' });
    const cut = new Date(Date.now() + 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await patch('bob', task.id, { title: 'long lived 3' });
    while ((await pruneHistory(running.db, cut)) > 0);
    expect((await historyOf('bob', task.id)).body.items.map((entry) => entry.version)).toEqual([3]);
    expect((await verifyChains(running.db, task.id)).broken).toEqual([]);

    // Everything pruned: the next entry follows the anchor.
    while ((await pruneHistory(running.db, new Date(Date.now() + 1000))) > 0);
    await patch('bob', task.id, { title: 'long lived 4' });
    expect((await historyOf('bob', task.id)).body.items.map((entry) => entry.version)).toEqual([4]);
    expect((await verifyChains(running.db, task.id)).broken).toEqual([]);
  });

  it('the verify command holds on untouched chains and names the first altered entry', async () => {
    const task = await createTask(running.api, 'bob', { title: 'evidence' });
    await patch('bob', task.id, { title: 'evidence 2' });
    await patch('bob', task.id, { title: 'evidence 3' });
    const clean = await verifyCommand();
    expect(clean.stdout).toContain('every chain holds');
    expect(clean.code).toBe(0);

    await running.db.query(
      `UPDATE task_history SET changes = jsonb_set(changes, '{title,after}', '"forged"')
       WHERE task_id = $1 AND version = 2`,
      [task.id],
    );
    const altered = await verifyCommand(task.id);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain(`FIRST BROKEN LINK: task ${task.id} version 2`);
    expect(altered.stdout).toContain('altered');
    const whole = await verifyCommand();
    expect(whole.code).toBe(1);
    expect(whole.stdout).toContain(`task ${task.id} version 2`);
  });

  it('an entry removed from the middle, or a re-hashed forgery, breaks the link after it', async () => {
    const task = await createTask(running.api, 'bob', { title: 'gap' });
    await patch('bob', task.id, { title: 'gap 2' });
    await patch('bob', task.id, { title: 'gap 3' });
    await running.db.query('DELETE FROM task_history WHERE task_id = $1 AND version = 2', [task.id]);
    expect((await verifyChains(running.db, task.id)).broken).toEqual([
      { taskId: task.id, version: 3, problem: expect.stringContaining('missing') },
    ]);

    const other = await createTask(running.api, 'bob', { title: 'rehash' });
    await patch('bob', other.id, { title: 'rehash 2' });
    // A forger who recomputes the altered entry's own hash still breaks the next link.
    await running.db.query(
      `UPDATE task_history SET actor_id = 'mallory',
         hash = task_history_hash(prev_hash, task_id, version, type, event_id, 'mallory', owner_id, request_id,
                                  occurred_at, changes)
       WHERE task_id = $1 AND version = 1`,
      [other.id],
    );
    expect((await verifyChains(running.db, other.id)).broken).toEqual([
      { taskId: other.id, version: 2, problem: expect.stringContaining('previous hash') },
    ]);
  });
});
