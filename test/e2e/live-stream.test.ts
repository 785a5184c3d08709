/**
 * The live stream through the stack's NGINX over HTTPS, as the web app
 * holds it: events pass through as they happen (no proxy buffering), the
 * API's heartbeat keeps an idle stream open past NGINX's ordinary read
 * timeout (15 s; the stream's location allows 75 s), and a user's stream
 * carries their own tasks only.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/modules/tasks/tasks.schemas.ts';
import { TEST_USERS } from '../support/oidc-fixture.ts';
import { openStream } from '../support/sse-client.ts';
import { accessTokenFor, asUser, STACK_URL, stackCertificate } from '../support/stack-client.ts';

const bearer = async (user: 'bob' | 'dave') => ({ authorization: `Bearer ${await accessTokenFor(user)}` });

describe('the live stream through NGINX', () => {
  it("carries bob's create at once, not dave's, and stays open on its heartbeat past 15 s of silence", async () => {
    const stream = await openStream(STACK_URL, await bearer('bob'), '', { ca: stackCertificate() });
    expect(stream.status).toBe(200);
    try {
      const others = await asUser('dave', 'POST', '/tasks', { json: { title: 'dave, not for bob' } });
      expect(others.status).toBe(201);
      const response = await asUser('bob', 'POST', '/tasks', { json: { title: 'bob, live through NGINX' } });
      expect(response.status).toBe(201);
      const task = (await response.json()) as Task;
      const started = Date.now();
      const [event] = await stream.waitForEvents(1, 5_000);
      const delivered = Date.now() - started;
      expect(event?.event).toBe('task.created');
      expect(JSON.parse(event?.data ?? '{}')).toMatchObject({
        task_id: task.id,
        owner_id: TEST_USERS.bob.sub,
      });
      console.info(`event through NGINX ${delivered} ms after the 201`);

      // Silence: NGINX's ordinary read timeout is 15 s; the heartbeat (every 15 s) keeps it open.
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      expect(stream.comments).toContain('heartbeat');
      const ended = await Promise.race([stream.ended.then(() => true), Promise.resolve(false)]);
      expect(ended).toBe(false);
      // Still live after the silence, and still only bob's.
      const later = await asUser('bob', 'POST', '/tasks', { json: { title: 'bob, after the silence' } });
      expect(later.status).toBe(201);
      const events = await stream.waitForEvents(2, 5_000);
      expect(events).toHaveLength(2);
      const owners = events.map((message) => (JSON.parse(message.data) as { owner_id: string }).owner_id);
      expect(new Set(owners)).toEqual(new Set([TEST_USERS.bob.sub]));
    } finally {
      stream.close();
    }
  });
});
