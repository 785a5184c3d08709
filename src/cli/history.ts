/**
 * `npm run history:verify [-- <task-id>]`: checks the hash chain of one
 * task's history or of the whole table and names the first broken link
 * (exit code 1). `npm run history:prune -- <days>`: removes the entries
 * older than that many days (HISTORY_RETENTION_DAYS when not given),
 * keeping every chain verifiable from its new start.
 */
import { loadConfig } from '../config/config.ts';
import { createDatabase } from '../infra/db/database.ts';
import { pruneHistory, verifyChains } from '../modules/history/history.chain.ts';
import { databaseTarget } from './database-target.ts';

const USAGE = 'Usage: npm run history:verify [-- <task-id>] | npm run history:prune [-- <days>]\n';
const log = (line: string) => process.stdout.write(`${line}\n`);
const DAY_MS = 86_400_000;

const [command, argument] = process.argv.slice(2);
const config = loadConfig();
const target = await databaseTarget(config, log);
const db = createDatabase({ ...config.database, url: target.url }, 'tasks-history');
try {
  if (command === 'verify') {
    const report = await verifyChains(db.primary, argument);
    log(`checked ${report.entries} entries of ${report.tasks} task(s) in ${target.where}`);
    const [first] = report.broken;
    if (first) {
      for (const link of report.broken)
        log(`broken: task ${link.taskId} version ${link.version}: ${link.problem}`);
      log(`FIRST BROKEN LINK: task ${first.taskId} version ${first.version}`);
      process.exitCode = 1;
    } else log('every chain holds');
  } else if (command === 'prune' && (argument ?? config.events.historyRetentionDays) !== undefined) {
    const days = Number(argument ?? config.events.historyRetentionDays);
    if (!Number.isFinite(days) || days < 0) throw new Error(`not a number of days: ${argument}`);
    const before = new Date(Date.now() - days * DAY_MS);
    let removed = 0;
    for (
      let batch = await pruneHistory(db.primary, before);
      batch > 0;
      batch = await pruneHistory(db.primary, before)
    )
      removed += batch;
    log(`removed ${removed} entries older than ${before.toISOString()}`);
  } else {
    process.stderr.write(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.close();
  await target.stop?.();
}
