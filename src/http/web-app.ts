/**
 * Serves the web app (built by Vite from web/ into web/dist) under APP_PREFIX,
 * a prefix no API path uses: hashed assets with a year-long, immutable cache
 * lifetime; every other path under the prefix is a route of the app and gets
 * index.html, never cached, so a new build is picked up at the next visit.
 * `/` leads to the app. The app learns its identity provider from
 * `<prefix>config.json`, so the same build works with the development
 * provider and with Keycloak (OIDC_ISSUER).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';

export const APP_PREFIX = '/app/';
/** The public OIDC client of the web app (and the docs page), in both providers. */
export const WEB_APP_CLIENT_ID = 'tasks-web';
export const WEB_APP_ROOT = path.resolve(import.meta.dirname, '../../web/dist');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export const isWebAppPath = (urlPath: string) => urlPath === '/app' || urlPath.startsWith(APP_PREFIX);

/**
 * The two style elements React Aria inserts itself (usePress: touch-action
 * for pressable elements; usePreventScroll on iOS: overscroll-behavior), by
 * the hashes of their exact text; test/unit/web-app-csp.test.ts derives them
 * from the installed react-aria, so an upgrade that changes them fails there.
 */
export const REACT_ARIA_STYLE_HASHES = [
  "'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o='",
  "'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='",
];

/** The app loads only its own files and calls only the API and the identity provider. */
export function webAppContentSecurityPolicy(issuer: string): string {
  const connect = [...new Set(["'self'", new URL(issuer).origin])].join(' ');
  return [
    "default-src 'self'",
    "base-uri 'self'",
    `connect-src ${connect}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self'",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    `style-src 'self' ${REACT_ARIA_STYLE_HASHES.join(' ')}`,
  ].join('; ');
}

export interface WebAppOptions {
  config: Config;
  issuer: string;
}

export const webAppPlugin = fp<WebAppOptions>(
  async (app: FastifyInstance, { config, issuer }) => {
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(APP_PREFIX));
    app.get(`${APP_PREFIX}config.json`, { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', REVALIDATE).send({
        issuer,
        clientId: WEB_APP_CLIENT_ID,
        rolesClaim: config.oidc.rolesClaim,
      }),
    );

    if (!existsSync(path.join(WEB_APP_ROOT, 'index.html'))) {
      app.log.warn({ root: WEB_APP_ROOT }, 'the web app is not built (npm run build:web): /app/ answers 503');
      app.get(`${APP_PREFIX}*`, { schema: { hide: true } }, async () => {
        throw new AppError(
          'DEPENDENCY_UNAVAILABLE',
          'The web app has not been built: run `npm run build:web`.',
        );
      });
      return;
    }
    await app.register(fastifyStatic, {
      root: WEB_APP_ROOT,
      prefix: APP_PREFIX,
      // One route per built file; the app's own routes fall through to index.html below.
      wildcard: false,
      index: false,
      cacheControl: false,
      schemaHide: true,
      setHeaders: (reply, filePath) => {
        const hashed = filePath.startsWith(path.join(WEB_APP_ROOT, 'assets') + path.sep);
        reply.header('cache-control', hashed ? IMMUTABLE : REVALIDATE);
      },
    });
    // A missing asset (an old build's file) is a 404, never index.html served as JavaScript.
    const appRoute = (request: FastifyRequest, reply: FastifyReply) => {
      if (request.url.startsWith(`${APP_PREFIX}assets/`))
        throw new AppError('ROUTE_NOT_FOUND', 'No such file.');
      return reply.header('cache-control', REVALIDATE).sendFile('index.html');
    };
    app.get(APP_PREFIX, { schema: { hide: true } }, appRoute);
    app.get(`${APP_PREFIX}*`, { schema: { hide: true } }, appRoute);
  },
  { name: 'web-app' },
);
