/**
 * Which methods a path answers, for a 405's `Allow` (RFC 9110 §15.5.6): a
 * wrong method on a known path is not a 404. Fastify does not expose its
 * router, so every route is also entered, as it is registered, into a
 * find-my-way router of the same options (the library Fastify routes with),
 * which is only ever asked which methods match.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import FindMyWay from 'find-my-way';

/** The methods an `Allow` can name: the API's, not every method find-my-way knows. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface RouterOptions {
  ignoreTrailingSlash?: boolean;
  maxParamLength?: number;
}

/** Starts following `app`'s routes (call before any is registered); returns the lookup. */
export function followRouteMethods(app: FastifyInstance, options: RouterOptions): (url: string) => string[] {
  const router = FindMyWay(options);
  app.addHook('onRoute', (route) => {
    // The CORS preflight answers OPTIONS on any path: it says nothing about what a path is.
    if (route.url === '*' || route.url === '/*') return;
    for (const method of [route.method].flat() as HTTPMethods[]) {
      const name = method.toUpperCase() as (typeof METHODS)[number];
      if (METHODS.includes(name) && !router.hasRoute(name, route.url)) router.on(name, route.url, () => {});
    }
  });
  return (url) => {
    const path = url.split('?')[0] ?? '/';
    return METHODS.filter((method) => router.find(method, path) !== null);
  };
}
