/**
 * The database ceiling: pgbench (prepared statements, the same connection
 * count as the HTTP load) running the SQL the API runs for a scenario, on
 * the stored columns (see `listingSql`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changeTaskQuery } from '../../src/modules/tasks/tasks.change.ts';
import type { ListTasksQuery } from '../../src/modules/tasks/tasks.listing-schemas.ts';
import { listingRowsQuery } from '../../src/modules/tasks/tasks.listing-sql.ts';
import { normalizeListQuery } from '../../src/modules/tasks/tasks.query.ts';
import { TASK_COLUMNS } from '../../src/modules/tasks/tasks.repository.ts';
import { caller } from '../../test/support/principals.ts';
import { LABEL_FILTERS, SEARCH_WORDS } from '../scenarios.ts';
import { SAMPLE_IDS } from './dataset.ts';

/** Who the ceilings list as: every task, as the scenarios' admin. */
const ADMIN = caller('bench-admin', 'admin');

/** SQL written into a script as it is (a pgbench variable, a sub-select), not as a literal. */
const raw = (sql: string) => ({ sql });

/** A value as an SQL literal: a number or boolean as it is, text quoted, an array as ARRAY[…], `raw` SQL as it is. */
const literal = (value: unknown): string => {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && 'sql' in value) return String(value.sql);
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : `'${String(value).replaceAll("'", "''")}'`;
};

/** A statement of the API with its parameters written in, as pgbench needs a plain script. */
const withValues = (text: string, values: unknown[]) =>
  text.replace(/\$(\d+)/g, (_, index: string) => literal(values[Number(index) - 1]));

/**
 * The SQL the API runs for a listing, with its parameters written in, as pgbench
 * needs a plain script: the query string as an admin sends it (after the
 * schema's defaults), normalised by the API's own code (`windowed`: a search
 * as the API's batch reads it). It selects the stored columns: the API has
 * the database format its timestamps, work a ceiling should not be charged with.
 */
function listingSql(query: Partial<ListTasksQuery>, windowed = false): string {
  const listing = normalizeListQuery({ skip: 0, limit: 10, sort: '-created_at', ...query }, ADMIN);
  const { text, values } = listingRowsQuery(listing, windowed);
  return withValues(text, values);
}

const sampledId = '(SELECT id FROM bench_ids WHERE n = :n)';

/**
 * The API's PATCH statement (tasks.change.ts: the change, its history entry
 * and outbox row) as an admin sends it for `{"status": …}`, each run moving
 * a sampled task to its next status, so that every run writes. Reading the
 * current status for that is a small extra lookup: this ceiling is slightly low.
 */
function updateSql(): string {
  const { text, values } = changeTaskQuery(
    '',
    { status: 'todo' },
    { ownerId: null, versions: null },
    { actorId: 'pgbench', requestId: 'pgbench', eventId: '', ownerEmail: null },
  );
  const nextStatus = `(SELECT CASE status WHEN 'todo' THEN 'in_progress' WHEN 'in_progress' THEN 'done' ELSE 'todo' END FROM tasks WHERE id = ${sampledId})`;
  const written = values.map((value, index) => {
    if (index === 0) return raw(sampledId);
    if (value === 'todo') return raw(nextStatus);
    return index === values.length - 1 ? raw('gen_random_uuid()') : value;
  });
  // pgbench reads `:MI` and `:SS` of the timestamp format as its variables: the same string, its colons escaped.
  const script = withValues(text, written).replace(
    /'(YYYY[^']*)'/g,
    (_, format: string) => `E'${format.replace(/:/g, '\\x3a')}'`,
  );
  return `\\set n random(1, ${SAMPLE_IDS})\n${script};`;
}

/** pgbench scripts by name: what each scenario's ceiling is (several: run in equal shares). */
export const PGBENCH_SCRIPTS: Record<string, string | string[]> = {
  'first-page': `${listingSql({})};`,
  'row-by-id': `\\set n random(1, ${SAMPLE_IDS})\nSELECT ${TASK_COLUMNS} FROM tasks WHERE id = (SELECT id FROM bench_ids WHERE n = :n);`,
  insert: `INSERT INTO tasks (id, title, description, status, owner_id) VALUES (gen_random_uuid(), 'pgbench task', NULL, 'todo', 'seed-user-0001') RETURNING ${TASK_COLUMNS};`,
  'skip-500000': `${listingSql({ skip: 500_000 })};`,
  'search-q': SEARCH_WORDS.map((q) => `${listingSql({ q }, true)};`),
  label: LABEL_FILTERS.map((label) => `${listingSql({ label })};`),
  overdue: `${listingSql({ overdue: true })};`,
  'sort-due': `${listingSql({ sort: 'due_at' })};`,
  update: updateSql(),
};

export async function runPgbench(
  url: string,
  name: string,
  options: { clients: number; seconds: number },
): Promise<number> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tasks-pgbench-'));
  const scripts = [PGBENCH_SCRIPTS[name] ?? ''].flat();
  const files = scripts.map((_, index) => path.join(folder, `${name}-${index}.sql`));
  await Promise.all(files.map((file, index) => writeFile(file, scripts[index] as string)));
  const target = new URL(url);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-j',
    '2',
    '-c',
    String(options.clients),
    '-T',
    String(options.seconds),
  ];
  args.push(
    ...files.flatMap((file) => ['-f', file]),
    '-h',
    target.hostname,
    '-p',
    target.port,
    '-U',
    target.username,
    target.pathname.slice(1),
  );
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'pgbench',
      args,
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(target.password) } },
      (error, stdout, stderr) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            missing
              ? new Error('pgbench is not installed: apt-get install postgresql-contrib')
              : new Error(`${error}\n${stderr}`),
          );
        } else resolve(stdout);
      },
    );
  });
  const tps = /tps = ([\d.]+)/.exec(output)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(tps);
}
