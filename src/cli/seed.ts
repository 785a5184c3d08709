/**
 * `npm run seed -- --count 1000000 [--owners 1000] [--batch 100000] [--jobs 2]`: loads
 * realistic tasks (set-based SQL, see tasks.seed.ts) into DATABASE_URL, or,
 * when it is unset, into the embedded database: the running API's if it
 * answers, otherwise one started (and stopped) here. Applies migrations first.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEV_USERS } from '../auth/dev-idp/dev-users.ts';
import { loadConfig } from '../config/config.ts';
import { migrate } from '../infra/db/migrator.ts';
import { SEED_DEFAULTS, seedTasks } from '../modules/tasks/tasks.seed.ts';
import { databaseTarget } from './database-target.ts';

export const USAGE = `Usage: npm run seed -- [--count N] [--owners N] [--batch N] [--jobs N]
  --count N    tasks to insert (default ${SEED_DEFAULTS.count})
  --owners N   owners to spread them over, the development users among them (default ${SEED_DEFAULTS.owners})
  --batch N    rows per INSERT statement and transaction (default ${SEED_DEFAULTS.batchSize})
  --jobs N     batches running at once, one connection each (default ${SEED_DEFAULTS.concurrency})
Loads into DATABASE_URL (migrations through DATABASE_MIGRATION_URL), or else into the embedded database.`;

export interface SeedArgs {
  count: number;
  owners: number;
  batchSize: number;
  concurrency: number;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const text = value.replaceAll('_', '');
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`);
  }
  return Number(text);
}

/** The command line after `npm run seed --`; throws UsageError on anything it does not know. */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        count: { type: 'string', short: 'n' },
        owners: { type: 'string' },
        batch: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = (name: string) => values[name] as string | undefined;
  return {
    count: positiveInteger('count', text('count'), SEED_DEFAULTS.count, 100_000_000),
    owners: positiveInteger('owners', text('owners'), SEED_DEFAULTS.owners, 10_000_000),
    batchSize: positiveInteger('batch', text('batch'), SEED_DEFAULTS.batchSize, 1_000_000),
    concurrency: positiveInteger('jobs', text('jobs'), SEED_DEFAULTS.concurrency, 16),
    help: values.help === true,
  };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<void> {
  const args = parseSeedArgs(argv);
  if (args.help) {
    log(USAGE);
    return;
  }
  const config = loadConfig();
  const db = await databaseTarget(config, log);
  try {
    const applied = await migrate(db.migrationUrl);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
    const pool = new pg.Pool({
      connectionString: db.url,
      max: args.concurrency,
      application_name: 'tasks-seed',
    });
    try {
      log(
        `Seeding ${args.count.toLocaleString('en')} tasks over ${args.owners.toLocaleString('en')} owners into ${db.where} …`,
      );
      const result = await seedTasks(pool, {
        count: args.count,
        owners: args.owners,
        batchSize: args.batchSize,
        concurrency: args.concurrency,
        // The development users own tasks too, so logging in as bob shows a long list.
        extraOwners: DEV_USERS.map((user) => user.sub),
        onProgress: ({ inserted, total, elapsedMs }) =>
          log(
            `  ${inserted.toLocaleString('en')} / ${total.toLocaleString('en')}` +
              `  ${(elapsedMs / 1000).toFixed(1)} s  ${Math.round(inserted / (elapsedMs / 1000)).toLocaleString('en')} rows/s`,
          ),
      });
      const seconds = result.insertMs / 1000;
      log(
        `Inserted ${result.inserted.toLocaleString('en')} tasks in ${seconds.toFixed(1)} s ` +
          `(${Math.round(result.inserted / seconds).toLocaleString('en')} rows/s); ` +
          `index clean-up and ANALYZE ${(result.analyzeMs / 1000).toFixed(1)} s.`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await db.stop?.();
  }
}

// Run only as the program (`npm run seed`), not when a test imports the argument parser.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }
}
