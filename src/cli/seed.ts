/**
 * `npm run seed -- --count 1000000 [--owners 1000] [--batch 100000] [--jobs 2]`: loads
 * realistic tasks (set-based SQL, see tasks.seed.ts) into DATABASE_URL, or,
 * when it is unset, into the embedded database: the running API's if it
 * answers, otherwise one started (and stopped) here. Applies migrations first.
 */
import pg from 'pg';
import { DEV_USERS } from '../auth/dev-idp/dev-users.ts';
import { loadConfig } from '../config/config.ts';
import { describeFatal, exitOnFatal } from '../fatal.ts';
import { announceOutsideWrite } from '../infra/cache/outside-writes.ts';
import { migrate } from '../infra/db/migrator.ts';
import { seedTasks } from '../modules/tasks/tasks.seed.ts';
import { databaseTarget } from './database-target.ts';
import { parseSeedArgs, USAGE, UsageError } from './seed-args.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<void> {
  const args = parseSeedArgs(argv);
  if (args.help) {
    log(USAGE);
    return;
  }
  const config = loadConfig();
  log(`Seeding ${args.count.toLocaleString('en')} tasks over ${args.owners.toLocaleString('en')} owners …`);
  const db = await databaseTarget(config, log);
  try {
    log(`  into ${db.where}; applying pending migrations …`);
    const applied = await migrate(db.migrationUrl);
    if (applied.length > 0) log(`  applied migrations: ${applied.join(', ')}`);
    const pool = new pg.Pool({
      connectionString: db.url,
      max: args.concurrency,
      application_name: 'tasks-seed',
    });
    try {
      const result = await seedTasks(pool, {
        count: args.count,
        owners: args.owners,
        batchSize: args.batchSize,
        concurrency: args.concurrency,
        // The development users own tasks too, so logging in as bob shows a long list.
        extraOwners: DEV_USERS.map((user) => user.sub),
        onProgress: ({ inserted, total, elapsedMs }) => {
          log(
            `  ${inserted.toLocaleString('en')} / ${total.toLocaleString('en')}` +
              `  ${(elapsedMs / 1000).toFixed(1)} s  ${Math.round(inserted / (elapsedMs / 1000)).toLocaleString('en')} rows/s`,
          );
          if (inserted === total) log('  index clean-up and ANALYZE …');
        },
      });
      const seconds = result.insertMs / 1000;
      log(
        `Inserted ${result.inserted.toLocaleString('en')} tasks in ${seconds.toFixed(1)} s ` +
          `(${Math.round(result.inserted / seconds).toLocaleString('en')} rows/s); ` +
          `index clean-up and ANALYZE ${(result.analyzeMs / 1000).toFixed(1)} s.`,
      );
      await announceOutsideWrite(config, pool).then(
        () => log('Cache: listings cached before the seed are not served again.'),
        (error: unknown) =>
          log(
            `  warning: the cache could not be told (${describeFatal(error)}); listings cached before the seed may be served for up to CACHE_TTL_SECONDS`,
          ),
      );
    } finally {
      await pool.end();
    }
  } finally {
    await db.stop?.();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  exitOnFatal('npm run seed')(error);
}
