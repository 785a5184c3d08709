/**
 * The database ceiling: pgbench (prepared statements, the same connection
 * count as the HTTP load) running the SQL the API runs for a scenario, on
 * the stored columns (see `listingSql`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ListingQuery } from '../../src/modules/tasks/tasks.query.ts';
import { listingRowsQuery, TASK_COLUMNS } from '../../src/modules/tasks/tasks.repository.ts';
import { SAMPLE_IDS } from './dataset.ts';

/**
 * The API's listing SQL with its (numeric) parameters written in, as pgbench
 * needs a plain script. It selects the stored columns: the API has the
 * database format its timestamps, work a ceiling should not be charged with.
 */
function listingSql(listing: Partial<ListingQuery>): string {
  const { text, values } = listingRowsQuery({
    limit: 10,
    skip: 0,
    sort: '-created_at',
    after: undefined,
    statuses: undefined,
    ownerId: undefined,
    createdAfter: undefined,
    createdBefore: undefined,
    q: undefined,
    visibility: { kind: 'all' },
    ...listing,
  } as ListingQuery);
  return text.replace(/\$(\d+)/g, (_, index: string) => String(values[Number(index) - 1]));
}

/** pgbench scripts by name: what each scenario's ceiling is. */
export const PGBENCH_SCRIPTS: Record<string, string> = {
  'first-page': `${listingSql({})};`,
  'row-by-id': `\\set n random(1, ${SAMPLE_IDS})\nSELECT ${TASK_COLUMNS} FROM tasks WHERE id = (SELECT id FROM bench_ids WHERE n = :n);`,
  insert: `INSERT INTO tasks (id, title, description, status, owner_id) VALUES (gen_random_uuid(), 'pgbench task', NULL, 'todo', 'seed-user-0001') RETURNING ${TASK_COLUMNS};`,
  'skip-500000': `${listingSql({ skip: 500_000 })};`,
};

export async function runPgbench(
  url: string,
  name: string,
  options: { clients: number; seconds: number },
): Promise<number> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tasks-pgbench-'));
  const script = path.join(folder, `${name}.sql`);
  await writeFile(script, PGBENCH_SCRIPTS[name] ?? '');
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
    '-f',
    script,
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
