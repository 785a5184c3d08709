/**
 * `npm run dead-letters -- list | show <event-id> | replay <event-id> | replay --all | purge`:
 * manual review of the events that failed 3 times (AMQP_URL, AMQP_QUEUE_PREFIX).
 */
import { Connection } from 'rabbitmq-client';
import { loadConfig } from '../config/config.ts';
import { deadLetters } from '../modules/notifications/dead-letters.ts';

const USAGE =
  'Usage: npm run dead-letters -- list | show <event-id> | replay <event-id> | replay --all | purge\n';
const [command, argument] = process.argv.slice(2);
const config = loadConfig();
if (!config.amqp.url) {
  process.stderr.write('npm run dead-letters needs AMQP_URL\n');
  process.exit(2);
}
const rabbit = new Connection(config.amqp.url);
const review = deadLetters(rabbit, config.amqp.queue);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
try {
  if (command === 'list') {
    const letters = await review.list();
    for (const letter of letters) {
      process.stdout.write(
        `${letter.eventId}  task ${letter.taskId}  ${letter.failedAt}  attempts ${letter.attempts}  ${letter.lastError}\n`,
      );
    }
    process.stdout.write(`${letters.length} dead letter(s)\n`);
  } else if (command === 'show' && argument) {
    const letter = (await review.list()).find((item) => item.eventId === argument);
    if (!letter) throw new Error(`no dead letter for event ${argument}`);
    print(letter);
  } else if (command === 'replay' && argument) {
    const replayed = await review.replay(argument === '--all' ? undefined : argument);
    process.stdout.write(`replayed ${replayed} dead letter(s) to ${config.amqp.queue}\n`);
  } else if (command === 'purge') {
    process.stdout.write(`purged ${await review.purge()} dead letter(s)\n`);
  } else {
    process.stderr.write(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await rabbit.close();
}
