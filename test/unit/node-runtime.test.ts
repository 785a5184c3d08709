/**
 * The Node.js versions the project claims (package.json "engines") are the
 * ones it can keep: inside every installed package's own range (so npm never
 * prints EBADENGINE on a supported version), each of its release lines run
 * by CI (.ci/node-versions), and the README, the image and .nvmrc say the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, unsupportedRuntime } from '../../scripts/node-runtime.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}
const locked = Object.entries(
  (JSON.parse(read('package-lock.json')) as { packages: Record<string, LockedPackage> }).packages,
).filter(([location]) => location !== '');

const ciVersions = read('.ci/node-versions')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'));

describe('supported Node.js versions', () => {
  it('are inside the Node.js range of every package in the lock, optional ones included', () => {
    const narrower = locked
      .map(([location, entry]) => ({
        location,
        range: Array.isArray(entry.engines) ? undefined : entry.engines?.node,
      }))
      .filter(({ range }) => range !== undefined && !semver.subset(SUPPORTED_NODE, range))
      .map(({ location, range }) => `${location.replace(/^.*node_modules\//, '')} needs ${range}`);
    expect(narrower).toEqual([]);
  });

  it('are long-term support lines only, each run by CI on a release it names', () => {
    for (const version of ciVersions) expect(semver.satisfies(version, SUPPORTED_NODE), version).toBe(true);
    // Every line the range names (^22.13.0 || ^24.0.0: 22 and 24) has a release CI runs.
    const lines = new semver.Range(SUPPORTED_NODE).set.map((comparators) => comparators[0]?.semver.major);
    expect(lines.every((major) => major !== undefined && major % 2 === 0)).toBe(true);
    expect(new Set(ciVersions.map((version) => semver.major(version)))).toEqual(new Set(lines));
  });

  it('the README, .nvmrc and the image name the same', () => {
    expect(read('README.md')).toContain(`Node.js \`${SUPPORTED_NODE}\``);
    expect(semver.satisfies(`${read('.nvmrc').trim()}.99.0`, SUPPORTED_NODE)).toBe(true);
    const image = /ARG NODE_IMAGE=node:(\d+)-/.exec(read('deploy/docker/Dockerfile'))?.[1];
    expect(semver.satisfies(`${image}.99.0`, SUPPORTED_NODE), `node:${image}`).toBe(true);
  });
});

describe('a start on another version', () => {
  it('is told in one line which versions are supported', () => {
    for (const version of ['v20.20.2', 'v22.12.0', 'v23.11.0', 'v26.12.1']) {
      const warning = unsupportedRuntime(version);
      expect(warning, version).toContain(`Node.js ${version} is not supported`);
      expect(warning).toContain(SUPPORTED_NODE);
      expect(warning).not.toContain('\n');
    }
  });

  it('a supported version is told nothing', () => {
    for (const version of [...ciVersions, 'v22.13.0', 'v24.0.0'])
      expect(unsupportedRuntime(version)).toBeUndefined();
  });
});
