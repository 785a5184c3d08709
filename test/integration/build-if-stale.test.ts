/**
 * dist/ is built when, and only when, its sources changed: scripts/build-if-stale.mjs
 * run in a small project of its own (a build that counts its runs), so the
 * repository's own dist/ is never touched by the test.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/npm-start.ts';

const run = promisify(execFile);
let project: string;

/** A build that takes a moment and records each run, as `npm run build` would rebuild dist/. */
const BUILD = `
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
await new Promise((resolve) => setTimeout(resolve, 300));
mkdirSync('dist', { recursive: true });
writeFileSync('dist/server.js', 'built');
mkdirSync('web/dist', { recursive: true });
writeFileSync('web/dist/index.html', 'built');
appendFileSync('builds.txt', 'build\\n');
`;

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'tasks-build-if-stale-'));
  await mkdir(path.join(project, 'scripts'));
  await cp(path.join(ROOT, 'scripts/build-if-stale.mjs'), path.join(project, 'scripts/build-if-stale.mjs'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ type: 'module', scripts: { build: 'node build.mjs' } }),
  );
  await writeFile(path.join(project, 'build.mjs'), BUILD);
  await writeFile(path.join(project, 'tsconfig.json'), '{}');
  await mkdir(path.join(project, 'src/cli'), { recursive: true });
  await writeFile(path.join(project, 'src/server.ts'), 'export {};\n');
  await writeFile(path.join(project, 'src/cli/seed.ts'), 'export {};\n');
  await mkdir(path.join(project, 'web/src'), { recursive: true });
  await writeFile(path.join(project, 'web/src/main.tsx'), 'export {};\n');
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

const buildIfStale = () => run(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: project });
const builds = async () =>
  (await readFile(path.join(project, 'builds.txt'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
    .length;

describe('build if stale', () => {
  it('builds a fresh clone, then not again until a source changes, is added or removed', async () => {
    await buildIfStale();
    expect(await builds()).toBe(1);
    await buildIfStale();
    expect(await builds()).toBe(1);

    await writeFile(path.join(project, 'src/server.ts'), 'export const changed = true;\n');
    await buildIfStale();
    expect(await builds()).toBe(2);

    await writeFile(path.join(project, 'src/added.ts'), 'export {};\n');
    await buildIfStale();
    expect(await builds()).toBe(3);

    await rm(path.join(project, 'src/added.ts'));
    await buildIfStale();
    expect(await builds()).toBe(4);
    await buildIfStale();
    expect(await builds()).toBe(4);
  }, 60_000);

  it('builds once when several starts find it stale at the same time', async () => {
    await writeFile(path.join(project, 'src/cli/seed.ts'), 'export const again = 1;\n');
    const before = await builds();
    await Promise.all([buildIfStale(), buildIfStale(), buildIfStale()]);
    expect(await builds()).toBe(before + 1);
  }, 60_000);

  it('builds when the web app changes or an output is missing, not for its tests', async () => {
    const before = await builds();
    await mkdir(path.join(project, 'web/test'), { recursive: true });
    await writeFile(path.join(project, 'web/test/app.test.tsx'), 'export {};\n');
    await buildIfStale();
    expect(await builds()).toBe(before);
    await writeFile(path.join(project, 'web/src/main.tsx'), 'export const changed = 1;\n');
    await buildIfStale();
    expect(await builds()).toBe(before + 1);
    await rm(path.join(project, 'web/dist'), { recursive: true });
    await buildIfStale();
    expect(await builds()).toBe(before + 2);
  }, 60_000);

  it('fails with the build, and builds again next time', async () => {
    await writeFile(path.join(project, 'build.mjs'), 'process.exit(3);\n');
    await writeFile(path.join(project, 'src/server.ts'), 'export const broken = true;\n');
    await expect(buildIfStale()).rejects.toMatchObject({
      stderr: expect.stringContaining('npm run build failed (exit code 3)'),
    });
    await writeFile(path.join(project, 'build.mjs'), BUILD);
    const before = await builds();
    await buildIfStale();
    expect(await builds()).toBe(before + 1);
  }, 60_000);
});
