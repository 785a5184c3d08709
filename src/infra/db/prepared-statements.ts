/**
 * Server-side prepared statements: every parameterized query of a pool given
 * as text and values is sent as a named statement, so PostgreSQL parses and
 * plans it once per connection instead of on every execution (planning is
 * about half of the database's work for a listing page; docs/performance.md).
 * A query given as a config object is sent as it is: that is how a query
 * whose best plan depends on its values stays unnamed. PgBouncer 1.18
 * in transaction mode cannot carry them (a statement prepared on one server
 * connection is unknown on the next), so this is only for pools that talk to
 * PostgreSQL directly: DATABASE_PREPARED_STATEMENTS, set by the embedded start.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Statement names by SQL text; the texts are the code's own, so the set is small and fixed. */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `tasks_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

export function usePreparedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const preparing: Query = (config, values, callback) =>
      typeof config === 'string' && Array.isArray(values)
        ? query({ name: nameOf(config), text: config, values }, callback)
        : query(config, values, callback);
    (client as unknown as { query: Query }).query = preparing;
  });
}
