/**
 * The docs page logs in for real (API.md: "/docs can log in through the
 * identity provider and call the API"): a headless Chromium opens /docs,
 * authorizes with the authorization code flow + PKCE as client tasks-web
 * through the development provider's login form (as bob), then runs
 * GET /tasks from the page and gets 200 with bob's token.
 *
 * Needs a Chromium (Debian: apt-get install chromium; CHROMIUM_PATH to use
 * another), driven by playwright-core.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { freePort } from '../support/private-redis.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Fails loudly without a browser: CI installs Debian's chromium (.ci/run).
if (!existsSync(CHROMIUM))
  throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);

let api: RunningApi;
let dataDir: string;
let publicUrl: string;

beforeAll(async () => {
  // The page, the redirect URI and the issuer must all be the address the browser uses.
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  dataDir = await mkdtemp(path.join(tmpdir(), 'docs-login-'));
  api = await startApi({ OIDC_ISSUER: '', PORT: String(port), PUBLIC_URL: publicUrl, DATA_DIR: dataDir });
});

afterAll(async () => {
  await api?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the docs page', () => {
  it('logs in as bob with tasks-web (code + PKCE) and calls GET /tasks: 200', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${publicUrl}/docs`);
      await page.locator('.auth-wrapper button.authorize').click();
      const codeFlow = page.locator('.auth-container').filter({ hasText: 'authorization_code with PKCE' });
      await expect(codeFlow.locator('#client_id_authorization_code').inputValue()).resolves.toBe('tasks-web');

      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        codeFlow.locator('button.authorize').click(),
      ]);
      await popup.locator('input[name="login"]').fill('bob');
      await popup.locator('input[name="password"]').fill('bob');
      await Promise.all([popup.waitForEvent('close'), popup.locator('button[type="submit"]').click()]);
      // Swagger UI exchanged the code for a token: the flow now offers to log out.
      await codeFlow.locator('button.authorize', { hasText: 'Logout' }).waitFor();
      await codeFlow.locator('button.btn-done').click();

      const listTasks = page.locator('.opblock-get').filter({
        has: page.locator('.opblock-summary-path[data-path="/tasks"]'),
      });
      await listTasks.locator('.opblock-summary').click();
      await listTasks.locator('button.try-out__btn').click();
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(`${publicUrl}/tasks`) && r.method() === 'GET'),
        listTasks.locator('button.execute').click(),
      ]);
      const response = await request.response();
      expect(response?.status()).toBe(200);
      const token = (request.headers().authorization ?? '').replace(/^Bearer /, '');
      expect(decodeJwt(token)).toMatchObject({ azp: 'tasks-web', preferred_username: 'bob', typ: 'Bearer' });
      const shown = await listTasks
        .locator('.live-responses-table tbody .response-col_status')
        .first()
        .textContent();
      expect(shown?.trim()).toBe('200');
    } finally {
      await browser.close();
    }
  });
});
