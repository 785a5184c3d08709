/**
 * The e-mails a task's owner reads, through the whole background wing (the
 * outbox, the PostgreSQL queue, the dispatcher, a real SMTP server): the
 * task's title (escaped in the HTML part), its status and a link to its page
 * in the web app, in plain text and HTML; sent for a task created for them,
 * for someone else assigning it to them or changing its status, and not for
 * their own edits nor for someone else's edit of another field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infra/db/database.ts';
import type { RunningApi } from '../support/api-harness.ts';
import { type LocalPipeline, startLocalPipeline, TEST_PUBLIC_URL } from '../support/background.ts';
import type { SmtpFixture } from '../support/smtp-fixture.ts';
import { createTask, subOf } from '../support/task-helpers.ts';
import { eventually } from '../support/test-database.ts';

let pipeline: LocalPipeline;
let api: RunningApi;
let db: Database;
let smtp: SmtpFixture;

beforeAll(async () => {
  pipeline = await startLocalPipeline();
  ({ api, db, smtp } = pipeline);
  // Everyone in the directory (names and addresses), as after their first request.
  for (const user of ['alice', 'bob', 'dave'] as const)
    expect((await api.request(user, 'GET', '/tasks')).status).toBe(200);
  await eventually(
    async () => (await db.primary.query('SELECT 1 FROM users')).rowCount === 3,
    'the directory',
  );
});

afterAll(() => pipeline.close());

/** The decoded text/plain and text/html parts of a raw message. */
function partsOf(raw: string): { text: string; html: string; subject: string } {
  const message = raw.replace(/\r\n/g, '\n');
  const parts: Record<string, string> = {};
  for (const [, type, headers, body] of message.matchAll(
    /Content-Type: text\/(plain|html)[^\n]*\n((?:[^\n]+\n)*)\n([\s\S]*?)\n(?=--)/g,
  )) {
    const encoding = /Content-Transfer-Encoding: (\S+)/.exec(headers ?? '')?.[1];
    let decoded = body ?? '';
    if (encoding === 'quoted-printable') decoded = decodeQuotedPrintable(decoded);
    if (encoding === 'base64') decoded = Buffer.from(decoded, 'base64').toString('utf8');
    parts[type as string] = decoded;
  }
  const header = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(message)?.[1]?.replace(/\n[ \t]/g, ' ') ?? '';
  // RFC 2047 encoded words (Q encoding), as nodemailer writes a subject with markup characters.
  const subject = header
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, word: string) => decodeQuotedPrintable(word.replace(/_/g, ' ')));
  return { text: parts.plain ?? '', html: parts.html ?? '', subject };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

const mailsTo = (user: string, taskId: string) =>
  smtp.received.filter(
    (mail) => mail.to.includes(`${user}@example.test`) && partsOf(mail.raw).text.includes(taskId),
  );

/** Every event so far relayed and consumed. */
const settled = () =>
  eventually(async () => {
    const { rows } = await db.primary.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) + (SELECT count(*) FROM local_queue) AS n`,
    );
    return rows[0]?.n === 0;
  }, 'every event consumed');

const patch = async (user: 'alice' | 'bob', id: string, json: Record<string, unknown>) =>
  expect((await api.request(user, 'PATCH', `/tasks/${id}`, { json })).status).toBe(200);

describe('e-mails to the owner', () => {
  it('a created task: its title, status and link, as text and as HTML with the title escaped', async () => {
    const title = 'Ship <b>release</b> & "notes"';
    const task = await createTask(api, 'bob', { title });
    await eventually(() => mailsTo('bob', task.id).length > 0, 'the e-mail');
    const mail = partsOf(mailsTo('bob', task.id)[0]?.raw ?? '');
    const link = `${TEST_PUBLIC_URL}/app/tasks/${task.id}`;
    expect(mail.subject).toBe(`A new task is yours: ${title}`);
    expect(mail.text).toContain('You created a task.');
    expect(mail.text).toContain(`Title:  ${title}`);
    expect(mail.text).toContain('Status: To do');
    expect(mail.text).toContain(`Open it: ${link}`);
    expect(mail.html).toContain('Ship &lt;b&gt;release&lt;/b&gt; &amp; &quot;notes&quot;');
    expect(mail.html).not.toContain('<b>release');
    expect(mail.html).toContain(`<a href="${link}">Open the task</a>`);
    expect(mail.html).toContain('<td>To do</td>');
  });

  it("someone else changing the status: the owner is told; the owner's own edits and another field: not", async () => {
    const task = await createTask(api, 'bob', { title: 'Write the changelog' });
    await eventually(() => mailsTo('bob', task.id).length === 1, 'the e-mail of the creation');
    await patch('bob', task.id, { title: 'Write the changelog for 2.0', status: 'in_progress' });
    await patch('alice', task.id, { description: 'a field that does not concern the owner' });
    await settled();
    expect(mailsTo('bob', task.id)).toHaveLength(1);

    await patch('alice', task.id, { status: 'done' });
    await eventually(() => mailsTo('bob', task.id).length === 2, 'the e-mail of the status change');
    const mail = partsOf(mailsTo('bob', task.id)[1]?.raw ?? '');
    expect(mail.subject).toBe('Your task is now Done: Write the changelog for 2.0');
    expect(mail.text).toContain('alice moved your task from In progress to Done.');
    expect(mail.text).toContain('Status: Done');
    await settled();
    expect(mailsTo('bob', task.id)).toHaveLength(2);
  });

  it('assigned by someone else: the new owner is told who assigned it', async () => {
    const task = await createTask(api, 'alice', { title: 'Review the budget', owner_id: subOf('dave') });
    await eventually(() => mailsTo('dave', task.id).length === 1, "dave's e-mail of the creation");
    expect(partsOf(mailsTo('dave', task.id)[0]?.raw ?? '').text).toContain('alice created a task for you.');
    await patch('alice', task.id, { owner_id: subOf('bob') });
    await eventually(() => mailsTo('bob', task.id).length === 1, "bob's e-mail of the assignment");
    const mail = partsOf(mailsTo('bob', task.id)[0]?.raw ?? '');
    expect(mail.subject).toBe('alice assigned you a task: Review the budget');
    expect(mail.text).toContain('alice assigned a task to you.');
    expect(mail.text).toContain('Status: To do');
    await settled();
    expect(mailsTo('dave', task.id)).toHaveLength(1);
  });
});
