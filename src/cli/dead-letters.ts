/**
 * `npm run dead-letters -- list | show <event-id> | replay <event-id> | replay --all | purge`:
 * manual review of the events that failed 3 times: RabbitMQ's
 * `task_processing.dlq` with AMQP_URL, otherwise the embedded start's
 * `dead_letters` table (DATABASE_URL, or the embedded database).
 */
import { Connection } from 'rabbitmq-client';
import { localDeadLetters } from '../background/postgres/postgres-dead-letters.ts';
import { rabbitDeadLetters } from '../background/rabbitmq/rabbitmq-dead-letters.ts';
import { topologyOf } from '../background/rabbitmq/topology.ts';
import type { DeadLetterReview } from '../background/transport.ts';
import { loadConfig } from '../config/config.ts';
import { describeFatal } from '../fatal.ts';
import { createDatabase } from '../infra/db/database.ts';
import { databaseTarget } from './database-target.ts';

const USAGE =
  'Usage: npm run dead-letters -- list | show <event-id> | replay <event-id> | replay --all | purge\n';
const log = (line: string) => process.stdout.write(`${line}\n`);

async function review(command: string | undefined, argument: string | undefined, dead: DeadLetterReview) {
  if (command === 'list') {
    const letters = await dead.list();
    for (const letter of letters) {
      log(
        `${letter.eventId}  task ${letter.taskId}  ${letter.failedAt}  attempts ${letter.attempts}  ${letter.lastError}`,
      );
    }
    log(`${letters.length} dead letter(s)`);
  } else if (command === 'show' && argument) {
    const letter = (await dead.list()).find((item) => item.eventId === argument);
    if (!letter) throw new Error(`no dead letter for event ${argument}`);
    log(JSON.stringify(letter, null, 2));
  } else if (command === 'replay' && argument) {
    log(`replayed ${await dead.replay(argument === '--all' ? undefined : argument)} dead letter(s)`);
  } else if (command === 'purge') {
    log(`purged ${await dead.purge()} dead letter(s)`);
  } else {
    process.stderr.write(USAGE);
    process.exitCode = 2;
  }
}

const [command, argument] = process.argv.slice(2);
const closers: (() => Promise<void>)[] = [];
try {
  const config = loadConfig();
  let dead: DeadLetterReview;
  if (config.amqp.url) {
    const rabbit = new Connection(config.amqp.url);
    rabbit.on('error', (error) => process.stderr.write(`RabbitMQ: ${error.message}; reconnecting\n`));
    closers.push(() => rabbit.close());
    dead = rabbitDeadLetters(rabbit, topologyOf(config.amqp.queue, config.retryBaseMs));
  } else {
    const target = await databaseTarget(config, log);
    const db = createDatabase({ ...config.database, url: target.url });
    closers.push(async () => {
      await db.close();
      await target.stop?.();
    });
    dead = localDeadLetters(db);
  }
  await review(command, argument, dead);
} catch (error) {
  process.stderr.write(`npm run dead-letters failed: ${describeFatal(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const close of closers) await close();
}
