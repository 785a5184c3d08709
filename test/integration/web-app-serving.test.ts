/**
 * The API serves the web app under /app/: hashed assets cached for a year,
 * index.html for the app's routes and never cached, a CSP that allows the
 * app's own files and the identity provider only, and the API's paths untouched.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_APP_ROOT } from '../../src/http/web-app.ts';
import { type RunningApi, startApi } from '../support/api-harness.ts';

let api: RunningApi;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

const get = (route: string) => fetch(`${api.baseUrl}${route}`, { redirect: 'manual' });

describe('the web app, served by the API', () => {
  it('leads from / to the app', async () => {
    const response = await get('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app/');
  });

  it('answers every route of the app with index.html, revalidated on every visit, under the app CSP', async () => {
    for (const route of [
      '/app/',
      '/app/board',
      '/app/tasks/0190d6a4-0000-7000-8000-000000000000',
      '/app/callback?code=x',
    ]) {
      const response = await get(route);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`connect-src 'self' ${new URL(api.oidc.issuer).origin}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets for a year, and a missing asset is a 404, not the page', async () => {
    const scripts = readdirSync(path.join(WEB_APP_ROOT, 'assets')).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const response = await get(`/app/assets/${scripts[0]}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/app/assets/index-00000000.js')).status).toBe(404);
  });

  it('tells the app where its identity provider is', async () => {
    const response = await get('/app/config.json');
    expect(await response.json()).toEqual({
      issuer: api.oidc.issuer,
      clientId: 'tasks-web',
      rolesClaim: 'realm_access.roles',
    });
  });

  it('leaves the API paths to the API', async () => {
    expect((await get('/tasks')).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
    const docs = await get('/docs/');
    expect(docs.headers.get('content-security-policy')).not.toBe(
      (await get('/app/')).headers.get('content-security-policy'),
    );
  });
});
