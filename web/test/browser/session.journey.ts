/** A session that ends while bob types: the app asks him to sign in again and brings him back with his text. */
import { expect } from 'vitest';
import { accessTokenOf, screenshot } from './browser.ts';
import { api, appUrl, expectAccessible, journey } from './journey-kit.ts';

export const expiredSessionJourney = () =>
  journey('expired', async (open) => {
    const page = await open('bob');
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    await page.getByRole('link', { name: 'More fields…' }).click();
    await page.getByRole('heading', { name: 'New task', exact: true }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Call the plumber');
    await page.getByLabel('Description').fill('The leak under the sink');

    // The session ends elsewhere: bob signs out in another tab of the same browser.
    const token = await accessTokenOf(page);
    const other = await page.context().newPage();
    await other.goto(`${appUrl()}/app/`);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await other.close();
    await expect.poll(async () => (await api(token, 'GET', '/tasks')).status, { timeout: 5_000 }).toBe(401);

    // The create is refused, the renewal too: the app says so and keeps the form as typed.
    await page.getByRole('button', { name: 'Create task' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    await expectAccessible(page, 'session ended dialog');
    await screenshot(page, 'session-ended');
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    await page.locator('input[name="login"]').fill('bob');
    await page.locator('input[name="password"]').fill('bob');
    await page.locator('button[type="submit"]').click();

    // Back on the same view, with what was typed.
    await page.waitForURL((url) => url.pathname === '/app/tasks/new');
    await page.getByRole('heading', { name: 'New task', exact: true }).waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Call the plumber');
    expect(await page.getByLabel('Description').inputValue()).toBe('The leak under the sink');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: 'Call the plumber' }).waitFor();
  });
