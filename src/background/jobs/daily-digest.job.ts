/**
 * The daily digest: each morning (DIGEST_SEND_AT, UTC) every person with an
 * address and open tasks gets one e-mail of them (digest-mail.ts says
 * what). The period is the day; it is due from the send time for an hour
 * (a worker down all that hour skips the day rather than mail a stale
 * digest late). Each person's digest is claimed in `digest_deliveries` and
 * sent in that one transaction: a worker killed mid-run leaves the others
 * owed, and whoever takes the lease over sends those and no other. Only a
 * crash between the mail server's acceptance and the commit repeats one,
 * under the same Message-ID (mail clients drop the copy).
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../infra/db/database.ts';
import type { Mailer } from '../../infra/mail/mailer.ts';
import { claimDigest, openTasksOf, recipientsOwed } from '../../modules/notifications/digest.repository.ts';
import { renderDigestMail } from '../../modules/notifications/digest-mail.ts';
import type { ScheduledJob } from './scheduler.ts';

/** How long after the send time a missed digest is still sent. */
const SEND_WINDOW_MINUTES = 60;
const RECIPIENTS_PER_PAGE = 100;
const TASKS_LISTED = 10;
const DAY_MS = 86_400_000;

export function dailyDigestJob(deps: {
  db: Pick<Database, 'primary' | 'transaction'>;
  mailer: Mailer;
  publicUrl: string;
  /** Minutes after midnight UTC; undefined: no digest. */
  minuteOfDay: number | undefined;
}): ScheduledJob {
  const { db, mailer, publicUrl, minuteOfDay } = deps;
  return {
    name: 'daily-digest',
    duePeriod(now) {
      if (minuteOfDay === undefined) return null;
      const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
      if (minutes < minuteOfDay || minutes >= minuteOfDay + SEND_WINDOW_MINUTES) return null;
      return now.toISOString().slice(0, 10);
    },
    async run(day, { signal, now }) {
      const dayEnd = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
      let after = '';
      for (;;) {
        const page = await recipientsOwed(db.primary, day, after, RECIPIENTS_PER_PAGE);
        if (page.length === 0) return;
        for (const person of page) {
          signal.throwIfAborted();
          await db.transaction(async (client) => {
            if (!(await claimDigest(client, day, person.sub))) return;
            const open = await openTasksOf(client, person.sub, { now, dayEnd }, TASKS_LISTED);
            if (open.openCount === 0) return; // done since the page was read: claimed, nothing to say
            const mail = renderDigestMail({ day, now, name: person.name, publicUrl, ...open });
            const recipient = createHash('sha256').update(person.sub).digest('hex').slice(0, 16);
            await mailer.send({
              messageId: `<digest-${day}-${recipient}@tasks.digest>`,
              to: person.email,
              ...mail,
            });
          });
        }
        after = page[page.length - 1]?.sub ?? after;
      }
    },
  };
}
