/**
 * The one place that decides whether `dist/` must be built: it is stale when
 * the build's inputs (BUILD_INPUTS) differ from those of the last build,
 * recorded as a hash in dist/.build-inputs, or when an output is missing.
 * Then it runs `npm run build` (everything the project compiles: the
 * server's TypeScript into dist/, the web app into web/dist/) under a lock,
 * so parallel starts build once. Plain
 * JavaScript, because it runs before anything is compiled:
 *
 *   node scripts/build-if-stale.mjs   (npm's `prepare`: at `npm install` / `npm ci`)
 *   import { buildIfStale } from './build-if-stale.mjs'   (scripts/run.mjs, before each program)
 *
 * Build output is never committed (.gitignore): it is always built here from the sources.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-inputs');

/**
 * What `npm run build` reads (the server's TypeScript, the web app's sources; the lock file pins
 * the compilers) and what it must leave behind. A part added to the build adds its own here.
 */
export const BUILD_INPUTS = [
  'src',
  'web',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
/** Under the inputs, yet not inputs: build output, and the web app's tests and benchmark. */
const NOT_INPUTS = new Set(['web/dist', 'web/test', 'web/bench', 'web/node_modules']);
const BUILD_OUTPUTS = ['dist/server.js', 'web/dist/index.html'];

function filesUnder(relative) {
  const absolute = path.join(ROOT, relative);
  if (NOT_INPUTS.has(relative.split(path.sep).join('/')) || !existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(path.join(relative, entry.name)));
}

/** A hash of every input's path and content: a changed, added or removed file changes it (mtimes do not). */
export function inputsHash() {
  const hash = createHash('sha256');
  for (const file of BUILD_INPUTS.flatMap(filesUnder)) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function isStale() {
  if (!existsSync(STAMP) || BUILD_OUTPUTS.some((output) => !existsSync(path.join(ROOT, output)))) return true;
  return readFileSync(STAMP, 'utf8').trim() !== inputsHash();
}

function runBuild() {
  process.stderr.write('Building dist/ (its sources changed since the last build) …\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed (${result.error?.message ?? `exit code ${result.status}`}); see above`,
    );
  }
}

/** Builds dist/ when it is stale; when another process is building, waits for it and checks again. */
export async function buildIfStale() {
  if (!isStale()) return;
  mkdirSync(DIST, { recursive: true });
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(DIST, {
    lockfilePath: path.join(ROOT, '.dist-build.lock'),
    // A build takes seconds (more on a busy machine); a crashed builder's lock goes stale.
    stale: 30_000,
    retries: { retries: 600, minTimeout: 500, maxTimeout: 1_000 },
  });
  try {
    if (!isStale()) return;
    const hash = inputsHash();
    runBuild();
    writeFileSync(STAMP, `${hash}\n`);
  } finally {
    await release();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildIfStale();
}
