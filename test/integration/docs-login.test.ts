/**
 * The docs page logs in for real (docs/api.md: `/docs` logs in with the
 * identity provider and calls the API): a headless Chromium opens /docs,
 * authorizes with the authorization code flow + PKCE as client tasks-web
 * through the development provider's login form (as bob), then runs
 * GET /tasks from the page and gets 200 with bob's token.
 *
 * Needs a Chromium (Debian: apt-get install chromium; CHROMIUM_PATH to use
 * another), driven by playwright-core.
 */

import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startDevelopmentApi } from '../support/api-harness.ts';
import { launchBrowser, screenshotFolder } from '../support/chromium.ts';

let api: RunningApi;
let screenshots: string;
let publicUrl: string;

beforeAll(async () => {
  screenshots = await screenshotFolder();
  ({ api, publicUrl } = await startDevelopmentApi());
});

afterAll(async () => {
  await api?.close();
});

describe('the docs page', () => {
  it('logs in as bob with tasks-web (code + PKCE) and calls GET /tasks: 200', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${publicUrl}/docs`);
      // The page is the product's, not "Swagger UI".
      expect(await page.title()).toBe('Task Management System: API documentation');
      await page.locator('.auth-wrapper button.authorize').click();
      // Only the flow that works is offered (implicit and password fail for tasks-web), so the dialog opens on it.
      const flows = page.locator('.modal-ux .auth-container');
      await flows.first().waitFor();
      expect(await flows.count()).toBe(1);
      const flowNames = await page.locator('.modal-ux .auth-container .flow code').allTextContents();
      expect(flowNames).toEqual(['authorizationCode with PKCE']);
      // tasks-web is a public client: no secret to ask for.
      await expect(page.locator('.modal-ux input[id^="client_secret"]').isVisible()).resolves.toBe(false);
      await page.screenshot({ path: path.join(screenshots, 'docs-authorize.png') });
      const codeFlow = page.locator('.auth-container').filter({ hasText: 'authorizationCode with PKCE' });
      await expect(codeFlow.locator('#client_id_authorizationCode').inputValue()).resolves.toBe('tasks-web');

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
