/** `npm run migrate`: applies pending migrations to DATABASE_MIGRATION_URL (or DATABASE_URL). */
import { loadConfig } from '../config/config.ts';
import { exitOnFatal } from '../fatal.ts';
import { migrate } from '../infra/db/migrator.ts';

async function main(): Promise<void> {
  const { database } = loadConfig();
  if (!database.migrationUrl) {
    process.stderr.write(
      'npm run migrate needs DATABASE_URL (or DATABASE_MIGRATION_URL); npm start migrates the embedded database itself.\n',
    );
    process.exit(2);
  }
  const applied = await migrate(database.migrationUrl);
  process.stdout.write(applied.length > 0 ? `Applied: ${applied.join(', ')}\n` : 'Up to date.\n');
}

await main().catch(exitOnFatal('npm run migrate'));
