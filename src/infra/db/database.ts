/**
 * Connection pools to PostgreSQL. Everything here works through PgBouncer in
 * transaction mode: unnamed statements only, no session state. The statement
 * timeout is a database default (migration 004), so no statement pays for it.
 */
import pg from 'pg';
import type { Config } from '../../config/config.ts';
import { type Lsn, parseLsn } from './lsn.ts';
import { usePreparedStatements } from './prepared-statements.ts';

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** A committed transaction's result and the primary's WAL position just after its commit. */
export interface Committed<T> {
  result: T;
  commitLsn: Lsn;
}

/**
 * COMMIT and the WAL position in one simple-protocol message: one round trip,
 * on the same server connection even through PgBouncer in transaction mode,
 * and the position is known whenever the commit is (the SELECT does not run
 * if the COMMIT fails).
 */
const COMMIT_RETURNING_LSN = 'COMMIT; SELECT pg_current_wal_insert_lsn()::text AS lsn';
/**
 * The insert position, not the write position: with asynchronous commit the
 * commit record may be inserted but not yet written, and the position must
 * be at or past it.
 */
const CURRENT_LSN = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';

export interface Database {
  primary: pg.Pool;
  /** Runs `work` in one transaction on the primary; rolls back on any error. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<Committed<T>>;
  /**
   * Runs a single statement on its own (atomic by itself, one round trip);
   * its WAL position is read afterwards only when replicas need it.
   */
  statement<T>(work: (db: Queryable) => Promise<T>): Promise<Committed<T>>;
  close(): Promise<void>;
}

// int8 (counts) as JS numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export function createDatabase(settings: Config['database'], applicationName = 'tasks-api'): Database {
  if (!settings.url) throw new Error('createDatabase needs a database URL (the embedded start sets one).');
  const primary = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  primary.on('error', () => {});
  if (settings.preparedStatements) usePreparedStatements(primary);

  return {
    primary,
    async transaction(work) {
      const client = await primary.connect();
      let broken: Error | undefined;
      // A connection lost while checked out emits 'error' besides failing the query: without a
      // listener that would crash the process. The client is then discarded on release.
      const onLost = (error: Error) => {
        broken = error;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        const [, position] = (await client.query(COMMIT_RETURNING_LSN)) as unknown as pg.QueryResult<{
          lsn: string;
        }>[];
        return { result, commitLsn: parseLsn(position?.rows[0]?.lsn ?? '0/0') };
      } catch (error) {
        // A connection that cannot even roll back is discarded, not returned to the pool.
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },
    async statement(work) {
      const result = await work(primary);
      if (settings.replicaUrls.length === 0) return { result, commitLsn: 0n };
      const { rows } = await primary.query<{ lsn: string }>(CURRENT_LSN);
      return { result, commitLsn: parseLsn(rows[0]?.lsn ?? '0/0') };
    },
    close: () => primary.end(),
  };
}

/** SQLSTATE classes and socket errors that mean "the database cannot answer now", not "this request is wrong". */
// 57014: canceled by statement_timeout: the database is too busy to answer this now.
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|57014|53300|25006)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATES.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET')
  ) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.test(error.message);
}
