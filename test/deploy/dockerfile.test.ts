/**
 * The image, offline (no Docker engine here): the Dockerfile has no error a
 * Dockerfile linter finds (dockerfile-utils, the checks of VS Code's Docker
 * support), is multi-stage, installs production dependencies only, runs as
 * a non-root user, copies only what exists and what .dockerignore lets in,
 * and its entry points (the API, the worker, the migrations) are files the
 * build emits, the ones compose.yaml and the Kubernetes manifests run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const text = readFileSync(path.join(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
const instructions = DockerfileParser.parse(text).getInstructions();
const argsOf = (keyword: string) =>
  instructions
    .filter((instruction) => instruction.getKeyword() === keyword)
    .map((instruction) => instruction.getArguments().map((arg) => arg.getValue()));
const finalStage = instructions.slice(
  instructions.findLastIndex((instruction) => instruction.getKeyword() === 'FROM'),
);

describe('deploy/docker/Dockerfile', () => {
  it('has nothing a Dockerfile linter reports', () => {
    expect(validate(text)).toEqual([]);
  });

  it('is multi-stage, and its last stage installs no dev dependency and runs as a non-root user', () => {
    expect(argsOf('FROM').length).toBeGreaterThanOrEqual(2);
    const runs = argsOf('RUN').map((args) => args.join(' '));
    expect(runs.some((run) => /npm ci .*--omit=dev/.test(run))).toBe(true);
    const user = finalStage.filter((instruction) => instruction.getKeyword() === 'USER').at(-1);
    expect(user?.getArguments()[0]?.getValue()).toMatch(/^(node|[1-9][0-9]*)$/);
    expect(finalStage.some((instruction) => instruction.getKeyword() === 'HEALTHCHECK')).toBe(true);
  });

  it('copies from the build context only files that exist and that .dockerignore lets in', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const fromContext = instructions.filter(
      (instruction) =>
        instruction.getKeyword() === 'COPY' &&
        !(instruction as unknown as { getFlags(): { getName(): string }[] })
          .getFlags()
          .some((flag) => flag.getName() === 'from'),
    );
    expect(fromContext.length).toBeGreaterThan(0);
    for (const copy of fromContext) {
      const args = copy.getArguments().map((arg) => arg.getValue());
      for (const source of args.slice(0, -1)) {
        expect(existsSync(path.join(ROOT, source)), source).toBe(true);
        expect(ignored, source).not.toContain(source.replace(/^\.\//, ''));
      }
    }
  });

  it('runs the API by default, and names the worker and the migrations, all files the build emits', () => {
    const cmd = finalStage.find((instruction) => instruction.getKeyword() === 'CMD');
    expect(cmd?.getArguments().map((arg) => arg.getValue())).toEqual(['["node",', '"dist/server.js"]']);
    for (const entry of ['dist/server.js', 'dist/worker.js', 'dist/cli/migrate.js']) {
      expect(text).toContain(entry);
      expect(
        existsSync(path.join(ROOT, entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))),
        entry,
      ).toBe(true);
    }
  });
});
