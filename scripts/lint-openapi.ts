/**
 * `npm run lint:openapi`: lints the OpenAPI document the server really serves
 * with Spectral, the OAS rules and the OWASP API Security Top 10 rules of
 * `.spectral.yaml`; any warning fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { servedOpenApiDocument } from './api-contract/served-document.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const workDir = await mkdtemp(path.join(tmpdir(), 'tasks-openapi-lint-'));
let status = 1;
try {
  const document = path.join(workDir, 'openapi.json');
  await writeFile(document, JSON.stringify(await servedOpenApiDocument(), null, 2));

  const require = createRequire(import.meta.url);
  const cli = path.join(
    path.dirname(require.resolve('@stoplight/spectral-cli/package.json')),
    'dist/index.js',
  );
  const ruleset = path.join(ROOT, '.spectral.yaml');
  const lint = spawnSync(
    process.execPath,
    [cli, 'lint', document, '--ruleset', ruleset, '--fail-severity=warn'],
    { stdio: 'inherit', cwd: ROOT },
  );
  status = lint.status ?? 1;
} finally {
  await rm(workDir, { recursive: true, force: true });
}
process.exit(status);
