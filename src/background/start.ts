/**
 * The background wing's one entry point, for both ways to run it: relay the
 * outbox into the transport (RabbitMQ with AMQP_URL, the PostgreSQL queue
 * without; transport.ts), dispatch each delivered event to the consumers of
 * its type (consumers/index.ts), sequence the live stream, and run the
 * scheduled jobs (jobs/index.ts: the daily digest, retention). `npm run
 * worker` runs it on its own; the embedded `npm start` in its primary process.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { createDatabase } from '../infra/db/database.ts';
import { createMailer } from '../infra/mail/mailer.ts';
import { createStreamSignal } from '../infra/stream-signal/stream-signal.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/worker-metrics.ts';
import { createConsumers } from './consumers/index.ts';
import { createTransport } from './create-transport.ts';
import { createDispatcher } from './dispatcher.ts';
import { createJobs } from './jobs/index.ts';
import { JobScheduler } from './jobs/scheduler.ts';
import { outboxBacklogRepository } from './outbox-backlog.repository.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { StreamSequencer } from './stream-sequencer.ts';

export interface BackgroundWork {
  metrics: WorkerMetrics;
  /** Resolves once the transport's topology is declared (RabbitMQ: every queue, the DLQ included). */
  ready: Promise<void>;
  /** Stops taking work, finishes what is in hand, closes every connection. */
  stop(): Promise<void>;
}

export function startBackgroundWork(config: Config, log: Logger): BackgroundWork {
  const db = createDatabase(config.database, 'tasks-worker');
  const metrics = createWorkerMetrics(outboxBacklogRepository(db.primary));
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    dataDir: config.dataDir,
  });
  const transport = createTransport(config, db, (error) =>
    log.warn({ err: error }, 'event transport error; it recovers by itself'),
  );
  const relay = new OutboxRelay(db, transport.publisher, {
    onError: (error: unknown) => log.warn({ err: error }, 'outbox relay: batch not published; retrying'),
    onPublished: (count: number) => metrics.outboxPublished.inc(count),
  });
  const dispatch = createDispatcher({
    db,
    consumers: createConsumers({ mailer, publicUrl: config.publicUrl }),
    log,
  });
  transport.consume(dispatch, {
    onHandled: (outcome, seconds) => {
      metrics.messages.labels(outcome).inc();
      metrics.processingDuration.observe(seconds);
    },
  });
  relay.start();
  const ready = transport.ready.then(() => log.info(`background work on ${transport.description}: ready`));

  // The live stream's order, whichever transport carries the events to the consumers.
  const signal = createStreamSignal({
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    databaseUrl: config.database.migrationUrl ?? config.database.url ?? '',
    onError: (error) => log.warn({ err: error }, 'live stream signal: connection error; retrying'),
  });
  const sequencer = new StreamSequencer(db, signal, {
    onError: (error) => log.warn({ err: error }, 'live stream sequencer: batch failed; retrying'),
  });
  sequencer.start();

  // Scheduled jobs (the digest, retention): one worker per period, under a lease.
  const scheduler = new JobScheduler(db, createJobs({ config, db, mailer }), {
    leaseSeconds: config.jobs.leaseSeconds,
    onError: (error) => log.warn({ err: error }, 'scheduled job failed; it is tried again at the next check'),
  });
  scheduler.start();

  return {
    metrics,
    ready,
    async stop() {
      await relay.stop();
      await scheduler.stop();
      await transport.close();
      await sequencer.stop();
      await signal.close();
      mailer.close();
      await db.close();
    },
  };
}
