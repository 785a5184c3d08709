/** The command line of `npm run seed`: its options, their bounds and the usage text. */
import { parseArgs } from 'node:util';
import { SEED_DEFAULTS } from '../modules/tasks/tasks.seed.ts';

export const USAGE = `Usage: npm run seed -- [--count N] [--owners N] [--batch N] [--jobs N]
  --count N    tasks to insert (default ${SEED_DEFAULTS.count})
  --owners N   owners to spread them over, the development users among them (default ${SEED_DEFAULTS.owners})
  --batch N    at most N rows per INSERT statement and transaction (default ${SEED_DEFAULTS.batchSize}; smaller when
               needed for about 20 progress steps)
  --jobs N     batches running at once, one connection each (default ${SEED_DEFAULTS.concurrency})
Loads into DATABASE_URL (migrations through DATABASE_MIGRATION_URL), or else into the embedded database.
Then the running API stops serving listings cached before the seed (set REDIS_URL as the API has it).`;

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
