/**
 * Runs one of the project's programs as compiled JavaScript from dist/,
 * built first if its sources changed (build-if-stale.mjs), in this same
 * process: no parent process stays around that serves nothing.
 *
 *   node .                                   the server (what `npm start` runs)
 *   node scripts/run.mjs <program> [args]    server, worker, seed, migrate, dead-letters
 *
 * The program sees itself as the script that was run (process.argv[1]), so
 * node:cluster forks its workers from dist/server.js directly, and its own
 * arguments come after it as usual.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale, DIST } from './build-if-stale.mjs';
import { unsupportedRuntime } from './node-runtime.mjs';

const PROGRAMS = {
  server: 'server.js',
  worker: 'worker.js',
  seed: 'cli/seed.js',
  migrate: 'cli/migrate.js',
  'dead-letters': 'cli/dead-letters.js',
};

const named = process.argv[2];
const name = named === undefined || named.startsWith('-') ? 'server' : named;
const program = PROGRAMS[name];
if (!program) {
  process.stderr.write(`Unknown program "${name}"; one of: ${Object.keys(PROGRAMS).join(', ')}\n`);
  process.exit(2);
}
const runtimeWarning = unsupportedRuntime();
if (runtimeWarning) process.stderr.write(`WARNING ${runtimeWarning}\n`);
try {
  await buildIfStale();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const entry = path.join(DIST, program);
process.argv.splice(1, named === name ? 2 : 1, entry);
await import(pathToFileURL(entry).href);
