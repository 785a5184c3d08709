/** The background wing as tests run it: the worker's consumers, on the PostgreSQL queue. */
import pino from 'pino';
import { createConsumers } from '../../src/background/consumers/index.ts';
import { createDispatcher } from '../../src/background/dispatcher.ts';
import { OutboxRelay } from '../../src/background/outbox-relay.ts';
import { postgresTransport } from '../../src/background/postgres/postgres-transport.ts';
import type { EventTransport } from '../../src/background/transport.ts';
import type { Database } from '../../src/infra/db/database.ts';
import { createMailer, type Mailer } from '../../src/infra/mail/mailer.ts';
import { type RunningApi, startApi } from './api-harness.ts';
import { type SmtpFixture, startSmtpFixture } from './smtp-fixture.ts';
import { databaseFor } from './test-database.ts';

/** Links in e-mails point here. */
export const TEST_PUBLIC_URL = 'https://tasks.example.test';

export const testDispatcher = (db: Pick<Database, 'transaction'>, mailer: Mailer) =>
  createDispatcher({
    db,
    consumers: createConsumers({ mailer, publicUrl: TEST_PUBLIC_URL }),
    log: pino({ level: 'silent' }),
  });

export interface LocalPipeline {
  api: RunningApi;
  db: Database;
  smtp: SmtpFixture;
  transport: EventTransport;
  close(): Promise<void>;
}

/** An API and the background wing on the PostgreSQL queue, mailing to a real SMTP server. */
export async function startLocalPipeline(): Promise<LocalPipeline> {
  const api = await startApi();
  const db = databaseFor(api.database.url);
  const smtp = await startSmtpFixture();
  const mailer = createMailer({ smtpUrl: smtp.url, from: 'tasks@example.test', dataDir: '/nonexistent' });
  const transport = postgresTransport(db, { retryBaseMs: 100, pollMs: 20, onError: () => {} });
  const relay = new OutboxRelay(db, transport.publisher, { idleMs: 20 });
  transport.consume(testDispatcher(db, mailer));
  relay.start();
  return {
    api,
    db,
    smtp,
    transport,
    async close() {
      await relay.stop();
      await transport.close();
      mailer.close();
      await smtp.close();
      await db.close();
      await api.close();
    },
  };
}
