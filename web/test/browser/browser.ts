/**
 * One Chromium (Debian's, driven by playwright-core) for the app's journeys,
 * and what every journey does with it: sign in through the development
 * provider's login page, save a screenshot (its path printed), run axe-core.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../test-results/web');

// The journeys take everything browser-side from this module; the launch is the root tests' too.
export { launchBrowser } from '../../../test/support/chromium.ts';

export interface ContextOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/**
 * A fresh browser profile. Problems of the app's own pages are collected for
 * the journey to assert none: page errors, console errors (a CSP violation is
 * one), failed requests. A request the app aborted itself (a superseded
 * query, a navigation) is no problem; 4xx answers the journey provokes are checked where made.
 */
export async function newContext(browser: Browser, appUrl: string, options: ContextOptions = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  // A step that does not happen fails in seconds, with what was awaited, not at the test's timeout.
  context.setDefaultTimeout(15_000);
  // A CSP violation named with what was blocked and where.
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(
        `CSP ${event.violatedDirective} blocked "${event.sample}" at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      ),
    ),
  );
  const problems: string[] = [];
  const ours = (url: string) => url.startsWith(`${appUrl}/app/`);
  context.on('console', (message) => {
    if (
      message.type() === 'error' &&
      ours(message.page()?.url() ?? '') &&
      !/status of 4\d\d/.test(message.text())
    )
      problems.push(`console: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${String(error.error())}`));
  context.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    if (ours(request.frame().url()) && reason !== 'net::ERR_ABORTED')
      problems.push(`request: ${request.url()} ${reason}`);
  });
  // Every call of the API carries the session's token (a first request without one got a 401,
  // and the renewals it set off together ended the session); the live stream, which an
  // EventSource opens without headers, carries the token's cookie instead.
  context.on('request', async (request) => {
    const { origin, pathname } = new URL(request.url());
    const api = origin === appUrl && !pathname.startsWith('/app/') && !pathname.startsWith('/realms/');
    if (!api || !ours(request.frame().url())) return;
    if (pathname === '/tasks/stream') {
      // The headers as sent, known once answered; a request that got no answer (the server
      // stopped) or whose page went has none to give. A 401 is the browser retrying after the
      // cookie went (it expired, or a sign-out in another tab deleted it): the app then puts it again.
      const answered = await request.response().catch(() => null);
      const refused = answered?.status() === 401;
      const headers = answered && !refused ? await request.allHeaders().catch(() => undefined) : undefined;
      if (headers && !/(^|;\s*)tasks_stream=/.test(headers.cookie ?? ''))
        problems.push(`stream opened without its cookie: ${request.url()}`);
    } else if (!request.headers().authorization)
      problems.push(`request without a token: ${request.method()} ${pathname}`);
  });
  return { context, problems };
}

/** From the app's address to the provider's login form and back, signed in as `username`. */
export async function signIn(context: BrowserContext, appUrl: string, username: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${appUrl}/app/`);
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill(username);
  await page.locator('button[type="submit"]').click();
  // Past the callback (the code exchange) and the app's first render.
  await page.waitForURL((url) => url.pathname.startsWith('/app/') && url.pathname !== '/app/callback');
  await page.locator('main, .centered-page').first().waitFor();
  return page;
}

/** The access token the app holds (oidc-client-ts keeps the user in the tab's session storage). */
export async function accessTokenOf(page: Page): Promise<string> {
  const token = await page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i += 1) {
      const key = sessionStorage.key(i) ?? '';
      if (key.startsWith('oidc.user:')) return JSON.parse(sessionStorage.getItem(key) ?? '{}').access_token;
    }
    return undefined;
  });
  if (typeof token !== 'string') throw new Error('the app holds no access token');
  return token;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  process.stdout.write(`screenshot: ${file}\n`);
  return file;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now (evaluated past the page's CSP). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run());
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
}
