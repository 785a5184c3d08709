/**
 * Tokens, cookies and passwords never reach the logs: an API with the
 * development identity provider logs every request (LOG_LEVEL=trace) to its
 * files (LOG_DIR) while it is sent a password grant, a refresh, a wrong
 * password, bearer tokens, a cookie and a failing request; then none of
 * those secrets is in any log line, though the requests themselves are.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { eventually } from '../support/test-database.ts';

let api: RunningApi;
let logDir: string;
let dataDir: string;

beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), 'tasks-log-secrets-'));
  dataDir = await mkdtemp(path.join(tmpdir(), 'tasks-log-secrets-data-'));
  api = await startApi({
    OIDC_ISSUER: '', // unset: the development provider, whose token endpoint takes passwords
    PUBLIC_URL: 'http://localhost:8000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'trace',
    LOG_DIR: logDir,
  });
});

afterAll(async () => {
  await api?.close();
  await rm(logDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const tokenEndpoint = () => `${api.baseUrl}/realms/tasks/protocol/openid-connect/token`;
const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });

describe('secrets in logs', () => {
  it('no token, refresh token, password or cookie is written, though the requests are logged', async () => {
    const login = await fetch(
      tokenEndpoint(),
      form({ grant_type: 'password', client_id: 'tasks-cli', username: 'bob', password: 'bob' }),
    );
    const { access_token, refresh_token } = (await login.json()) as {
      access_token: string;
      refresh_token: string;
    };
    const refreshed = await fetch(
      tokenEndpoint(),
      form({ grant_type: 'refresh_token', client_id: 'tasks-cli', refresh_token }),
    );
    const { access_token: second } = (await refreshed.json()) as { access_token: string };
    const wrongPassword = 'pw-marker-9f3e1c-never-logged';
    expect(
      (
        await fetch(
          tokenEndpoint(),
          form({ grant_type: 'password', client_id: 'tasks-cli', username: 'bob', password: wrongPassword }),
        )
      ).status,
    ).toBe(401);
    const cookie = 'session=cookie-marker-77ab21-never-logged';
    const requestId = 'log-secrets-request';
    for (const token of [access_token, second, `${access_token}tampered`]) {
      await fetch(`${api.baseUrl}/tasks?limit=1`, {
        headers: { authorization: `Bearer ${token}`, cookie, 'x-request-id': requestId },
      });
    }
    await fetch(`${api.baseUrl}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json', cookie },
      body: '{"title": ',
    });

    const logs = async () => {
      const files = await readdir(logDir);
      return (await Promise.all(files.map((file) => readFile(path.join(logDir, file), 'utf8')))).join('');
    };
    await eventually(async () => (await logs()).includes(requestId), 'the requests in the log files');
    const text = await logs();
    for (const secret of [access_token, second, refresh_token, wrongPassword, 'cookie-marker-77ab21']) {
      expect(text.includes(secret), `a secret of ${secret.length} characters is in the logs`).toBe(false);
    }
    // Secrets as parts: a token's signature alone would also let someone replay it.
    for (const token of [access_token, second])
      expect(text.includes(token.split('.')[2] as string)).toBe(false);
  });
});
