/**
 * What the primary process prepares once, before anything serves: the
 * embedded PostgreSQL when DATABASE_URL is unset, the migrations, the
 * development provider's signing keys.
 */
import type { Config } from '../config/config.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../infra/db/embedded-postgres.ts';
import { migrate } from '../infra/db/migrator.ts';
import { print } from '../startup-banner.ts';

/** Prepares shared state once, then serves in-process or in workers; returns the embedded database, if any. */
export async function preparePrimary(
  config: Config,
): Promise<{ config: Config; embedded?: EmbeddedDatabase }> {
  let embedded: EmbeddedDatabase | undefined;
  let prepared = config;
  if (!config.database.url) {
    print(`Starting embedded PostgreSQL (data in ${config.dataDir}) …`);
    // PostgreSQL's own lines are kept quiet unless it fails: then the error carries them.
    embedded = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, () => {});
    // This process tree is the embedded database's only writer: cache generations go through the primary.
    prepared = {
      ...config,
      cacheGenerations: 'cluster',
      // Direct connections, no pooler in between: statements can be prepared.
      database: {
        ...config.database,
        url: embedded.url,
        migrationUrl: embedded.url,
        preparedStatements: true,
      },
    };
  }
  if (prepared.database.migrateOnStart) {
    const applied = await migrate(prepared.database.migrationUrl as string);
    if (applied.length > 0) print(`Applied migrations: ${applied.join(', ')}`);
  }
  // Created before any worker starts, so workers never race to create different keys.
  if (!config.oidc.issuer) {
    const { loadOrCreateSigningKeys } = await import('../auth/dev-idp/signing-keys.ts');
    await loadOrCreateSigningKeys(config.dataDir);
  }
  return { config: prepared, ...(embedded ? { embedded } : {}) };
}
