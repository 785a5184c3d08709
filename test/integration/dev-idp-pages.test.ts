/**
 * What a person sees at the development provider, in a real Chromium: the
 * sign-in page (at 375 px and on a desktop), a wrong password, the sign-out
 * confirmation, the signed-out page and an error page. Each looks like the
 * product, sends no request off the server (works offline), has labelled
 * fields, and lists the development users. Screenshots are left under
 * test-results/screenshots/ to be looked at.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startDevelopmentApi } from '../support/api-harness.ts';
import { launchBrowser, screenshotFolder } from '../support/chromium.ts';
import { pkceAuthorization } from '../support/pkce.ts';

let api: RunningApi;
let screenshots: string;
let publicUrl: string;
let browser: Browser;

beforeAll(async () => {
  screenshots = await screenshotFolder();
  ({ api, publicUrl } = await startDevelopmentApi());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

const realm = () => `${publicUrl}/realms/tasks/protocol/openid-connect`;
const authorization = () =>
  pkceAuthorization(
    `${realm()}/auth`,
    `${publicUrl}/docs/static/oauth2-redirect.html`,
    'openid profile email',
  );

/** A page that records every request leaving for another origin than the server's. */
async function pageAt(width: number): Promise<{ page: Page; offsite: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const offsite: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(publicUrl) && !request.url().startsWith('data:'))
      offsite.push(request.url());
  });
  return { page, offsite };
}

async function expectProductPage(page: Page, offsite: string[], shot: string) {
  expect(await page.title()).toMatch(/· Task Management System$/);
  const text = (await page.locator('body').textContent()) ?? '';
  expect(text).not.toMatch(/DEBUG|Enter any login|oops/i);
  expect(offsite).toEqual([]);
  // Nothing wider than the window: no sideways scrolling at 375 px.
  const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow as number).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(screenshots, shot), fullPage: true });
}

describe('the development sign-in pages', () => {
  for (const width of [375, 1280]) {
    it(`sign-in at ${width} px: labelled fields, the development users listed, no request off the server`, async () => {
      const { page, offsite } = await pageAt(width);
      await page.goto(authorization().url);
      await page.getByLabel('User name').waitFor();
      await expect(page.getByLabel('Password').getAttribute('type')).resolves.toBe('password');
      const users = await page.locator('.hint tbody tr').allInnerTexts();
      expect(users.map((row) => row.split(/\s+/)[0])).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
      expect(users.join('\n')).toMatch(/alice\s+admin/);
      expect(users.join('\n')).toMatch(/erin\s+no role/);
      // The keyboard reaches the field first, and focus is visible.
      expect(await page.evaluate('document.activeElement?.id')).toBe('login');
      await expectProductPage(page, offsite, `dev-idp-sign-in-${width}.png`);
      await page.close();
    });
  }

  it('a wrong password shows the form again with a clear message and the name kept; the right one signs in', async () => {
    const { page, offsite } = await pageAt(375);
    await page.goto(authorization().url);
    await page.getByLabel('User name').fill('bob');
    await page.getByLabel('Password').fill('wrong');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(answer.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong user name or password');
    await expect(page.getByLabel('User name').inputValue()).resolves.toBe('bob');
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectProductPage(page, offsite, 'dev-idp-wrong-password-375.png');

    await page.getByLabel('Password').fill('bob');
    const [callback] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(`${publicUrl}/docs/static/oauth2-redirect.html`)),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(new URL(callback.url()).searchParams.get('code')).toBeTruthy();
    await page.close();
  });

  it('the sign-out confirmation, the signed-out page and an error page look like the product', async () => {
    const { page, offsite } = await pageAt(375);
    // A browser session to end: signed in as bob.
    await page.goto(authorization().url);
    await page.getByLabel('User name').fill('bob');
    await page.getByLabel('Password').fill('bob');
    await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(`${publicUrl}/docs/static/oauth2-redirect.html`)),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    offsite.length = 0;
    await page.goto(`${realm()}/logout`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await expectProductPage(page, offsite, 'dev-idp-sign-out-375.png');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await expectProductPage(page, offsite, 'dev-idp-signed-out-375.png');

    const response = await page.goto(
      `${realm()}/auth?client_id=no-such-client&response_type=code&scope=openid`,
    );
    expect(response?.status()).toBe(400);
    await page.getByRole('heading', { name: 'Sign-in problem' }).waitFor();
    await expectProductPage(page, offsite, 'dev-idp-error-375.png');
    await page.close();
  });
});
