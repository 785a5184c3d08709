/**
 * Log lines are seen when they happen, not in 4 KiB blocks at exit: on the
 * console at once, in log files within a second, while the process goes on.
 * The development identity provider's requests are logged with their full path.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unsupportedRuntime } from '../../scripts/node-runtime.mjs';
import { freshStart, ROOT, start, stop, untilPrinted } from '../support/npm-start.ts';
import { eventually } from '../support/test-database.ts';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** A process that logs one line through the project's logger, then stays alive. */
function loggingProcess(env: Record<string, string>) {
  const script = `
    import { loadConfig } from './src/config/config.ts';
    import { createLogger } from './src/observability/logger.ts';
    createLogger(loadConfig(), 'tasks-timely').info('one quiet line');
    process.stderr.write('the line is logged\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

describe('log lines are timely', () => {
  it('a single line reaches the console at once and a log file within a second, while the process runs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tasks-timely-'));
    folders.push(dir);
    const logging = loggingProcess({ LOG_DIR: dir });
    try {
      // Loading takes a while on a busy machine; from the moment the line is logged, the clock runs.
      await eventually(() => logging.stderr().includes('the line is logged'), 'the line logged', 60_000);
      const logged = Date.now();
      await eventually(() => logging.stdout().includes('one quiet line'), 'the line on stdout', 1_000);
      const fileText = async () => {
        const names = await readdir(dir).catch(() => []);
        const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
        return texts.join('');
      };
      await eventually(
        async () => (await fileText()).includes('one quiet line'),
        'the line in its file',
        1_500,
      );
      expect(Date.now() - logged).toBeLessThan(1_500);
    } finally {
      logging.child.kill('SIGKILL');
    }
  }, 90_000);

  it("npm start shows its DEVELOPMENT warning as it starts, and the identity provider's requests with their full path", async () => {
    const { env, baseUrl } = await freshStart(folders, { WEB_CONCURRENCY: '1', LOG_LEVEL: 'info' });
    const started = await start(env);
    try {
      // Logged by the worker before the banner, as a JSON line of its own.
      expect(started.output()).toMatch(/"level":40,.*"msg":"DEVELOPMENT identity provider enabled/);
      // On a supported Node.js nothing warns about the runtime; on another, the start's own line says
      // which versions are, before the dependencies' warnings (oidc-provider's 'Unsupported runtime').
      const runtimeWarning = unsupportedRuntime();
      if (runtimeWarning) expect(started.output().startsWith(`WARNING ${runtimeWarning}\n`)).toBe(true);
      else expect(started.output()).not.toMatch(/Unsupported runtime|is not supported/i);
      const response = await fetch(`${baseUrl}/realms/tasks/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'tasks-cli',
          username: 'bob',
          password: 'bob',
        }),
      });
      expect(response.status).toBe(200);
      await untilPrinted(started, /"url":"\/realms\/tasks\/protocol\/openid-connect\/token"/, 1_000);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  }, 120_000);
});
