/**
 * `npm run lint:openapi`: lints the OpenAPI document the server really serves
 * (built by buildApp, as `/openapi.json` returns it) with Spectral, the OAS
 * rules and the OWASP API Security Top 10 rules of `.spectral.yaml`; any
 * warning fails. Nothing is started: the app is built and closed without
 * listening, without touching a database or an identity provider.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const workDir = await mkdtemp(path.join(tmpdir(), 'tasks-openapi-'));
let status = 1;
try {
  const app = await buildApp(
    loadConfig({
      // Never connected to: pools open connections on first query only.
      DATABASE_URL: 'postgres://lint@127.0.0.1:1/lint',
      // A production-shaped document: an external provider, a public HTTPS URL.
      OIDC_ISSUER: 'https://id.example.com/realms/tasks',
      PUBLIC_URL: 'https://tasks.example.com',
      DATA_DIR: workDir,
      LOG_LEVEL: 'silent',
    }),
  );
  await app.ready();
  const document = path.join(workDir, 'openapi.json');
  await writeFile(document, JSON.stringify(app.swagger(), null, 2));
  await app.close();

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
