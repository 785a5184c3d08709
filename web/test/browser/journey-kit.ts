/**
 * What every journey of the web app shares: one `npm start` (its own port,
 * a fresh data folder, the development provider) and one Chromium for the
 * whole file, axe-core on each view, the API called directly to set up or
 * check data, and a journey's own browser profile whose pages are saved as
 * `<name>-failure-<n>.png` when it fails.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { devTokenFor } from '../../../test/support/npm-start.ts';
import { type AppServer, startAppServer } from './app-server.ts';
import {
  type ContextOptions,
  launchBrowser,
  newContext,
  screenshot,
  seriousViolations,
  signIn,
} from './browser.ts';

// The web helper's ports (8050-8059, embedded PostgreSQL 55050-55059).
const PORT = 8051;
const DATABASE_PORT = 55051;
export const JOURNEY_TIMEOUT_MS = 120_000;

let server: AppServer | undefined;
let browser: Browser | undefined;

/** Starts the app (by default `npm start` on the journeys' ports) and Chromium before the file's journeys and stops them after. */
export function startAppAndBrowser(
  startServer: () => Promise<AppServer> = () => startAppServer({ port: PORT, databasePort: DATABASE_PORT }),
): void {
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}

export function appUrl(): string {
  if (!server) throw new Error('startAppAndBrowser() first');
  return server.url;
}

export function theServer(): AppServer {
  if (!server) throw new Error('startAppAndBrowser() first');
  return server;
}

export function theBrowser(): Browser {
  if (!browser) throw new Error('startAppAndBrowser() first');
  return browser;
}

export async function expectAccessible(page: Page, view: string) {
  expect(await seriousViolations(page), `axe on ${view}`).toEqual([]);
}

export const api = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${appUrl()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

/** A development user's access token from the provider (tasks-cli, password grant), to set up data. */
export const passwordToken = (username: string) =>
  devTokenFor(`${appUrl()}/realms/tasks/protocol/openid-connect/token`, username);

export async function createTask(token: string, title: string): Promise<{ id: string; owner_id: string }> {
  const response = await api(token, 'POST', '/tasks', { title });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; owner_id: string };
}

/** Signs a person in on a new page; `separateProfile`: in a browser profile of its own (cookies too). */
export type Open = (username: string, options?: { separateProfile?: boolean }) => Promise<Page>;

/**
 * A journey in its own browser profile: `open` signs a person in on a new
 * page (a second person, or a second session with its own cookies, in a
 * profile of their own). It fails on any problem a profile saw (page errors,
 * console errors, failed requests, API calls without a token).
 */
export interface JourneyOptions extends ContextOptions {
  /** Problems the journey provokes itself (a stopped server's refused connections, its 503s), by pattern. */
  provoked?: RegExp[];
}

export async function journey(
  name: string,
  run: (open: Open) => Promise<void>,
  options: JourneyOptions = {},
) {
  const { provoked = [] } = options;
  const first = await newContext(theBrowser(), appUrl(), options);
  const profiles = [first];
  const pages: Page[] = [];
  const open: Open = async (username, { separateProfile = false } = {}) => {
    const profile = separateProfile ? await newContext(theBrowser(), appUrl(), options) : first;
    if (separateProfile) profiles.push(profile);
    const page = await signIn(profile.context, appUrl(), username);
    pages.push(page);
    return page;
  };
  try {
    await run(open);
    const problems = profiles.flatMap((profile) => profile.problems);
    expect(problems.filter((problem) => !provoked.some((pattern) => pattern.test(problem)))).toEqual([]);
  } catch (error) {
    for (const [index, page] of pages.entries()) await screenshot(page, `${name}-failure-${index}`);
    const problems = profiles.flatMap((profile) => profile.problems);
    process.stdout.write(`${name} failed; the browser saw: ${JSON.stringify(problems, null, 1)}\n`);
    process.stdout.write(`the server's last output:\n${theServer().output().slice(-4000)}\n`);
    throw error;
  } finally {
    for (const profile of profiles) await profile.context.close();
  }
}
