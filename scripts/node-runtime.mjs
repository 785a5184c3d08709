/**
 * Which Node.js versions the project supports: package.json's "engines", the
 * one place that says it (a unit test keeps it within every dependency's own
 * range, CI runs the tests on each line it names). A start on any other
 * version is told so in one line, before the dependencies' own warnings
 * (oidc-provider's "Unsupported runtime") that would otherwise be all it saw.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** The supported range, e.g. "^22.13.0 || ^24.0.0". */
export const SUPPORTED_NODE = manifest.engines.node;

/** Why `version` is not supported, in one line; undefined when it is. */
export function unsupportedRuntime(version = process.version, range = SUPPORTED_NODE) {
  if (semver.satisfies(version, range)) return undefined;
  return (
    `Node.js ${version} is not supported: this project runs on Node.js ${range} (LTS lines, tested in CI). ` +
    'It may start, but its dependencies are built for those versions; install a supported Node.js.'
  );
}
