/**
 * Abuse limits and browser-facing headers, for every route:
 * - security headers for a JSON API (helmet): a CSP that allows nothing,
 *   except on the three HTML surfaces — the docs page (Swagger UI, which may
 *   talk to the identity provider), the web app (its own files, the API and
 *   the identity provider) and the development identity provider;
 * - CORS closed unless CORS_ORIGINS names origins;
 * - a per-caller rate limit (the verified token subject, else the client IP),
 *   counted in Redis when REDIS_URL is set so every instance shares it, 429
 *   problem+json with Retry-After past it. Health and metrics are never
 *   limited: a probe or a scraper must not be refused because of traffic.
 * Body size (64 KiB) and request timeouts are Fastify server options (app.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import { createRedis } from '../infra/redis/redis-client.ts';
import { isWebAppPath, webAppContentSecurityPolicy } from './web-app.ts';

/** Routes a rate limit must never refuse: probes and the metrics scrape. */
export const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)\s*$/i;

export interface AbuseLimitsOptions {
  config: Config;
  verifier: TokenVerifier;
  /** The identity provider's issuer: the docs page exchanges its login code there. */
  issuer: string;
}

const originOf = (url: string) => new URL(url).origin;

/** Swagger UI loads only its own files, and calls only the API and the identity provider. */
function docsContentSecurityPolicy(config: Config, issuer: string): string {
  const connect = [...new Set(["'self'", originOf(config.publicUrl), originOf(issuer)])].join(' ');
  return [
    "default-src 'self'",
    "base-uri 'self'",
    `connect-src ${connect}`,
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}

/**
 * The rate-limit key: the token's subject when the token verifies (so one
 * user behind a shared NAT is not limited by the others), else the client
 * IP. An unverified token never chooses its key: a forged `sub` cannot
 * spread requests over many buckets or use up another user's.
 */
/**
 * The headers helmet sets for `options`, computed once: they depend on the
 * options only, so each response gets them as one set of Fastify headers
 * instead of through helmet's chain of middleware (@fastify/helmet even
 * rebuilds that chain on every request: measured at a quarter of a cached
 * read's throughput and 60 MiB more per process under 500 connections).
 */
function securityHeadersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error) throw error;
  });
  return headers;
}

const without = (headers: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([header]) => header !== name));

async function callerKeyOf(verifier: TokenVerifier, request: FastifyRequest): Promise<string> {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (token) {
    try {
      return `sub:${(await verifier.verify(token)).subject}`;
    } catch {
      // Refused or unverifiable: the auth hook answers 401/503; this request counts against its IP.
    }
  }
  return `ip:${request.ip}`;
}

export const abuseLimitsPlugin = fp<AbuseLimitsOptions>(
  async (app: FastifyInstance, { config, verifier, issuer }) => {
    const apiHeaders = securityHeadersOf({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
      // Headers for HTML documents in old browsers, which a JSON API does not serve (OWASP's
      // REST cheat sheet does not list them): each one is a cost on every response.
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
      originAgentCluster: false,
    });
    // Swagger UI opens the provider's login in a popup that reports back to its opener:
    // a cross-origin opener policy would cut that link, so the HTML pages go without one.
    const htmlHeaders = without(apiHeaders, 'cross-origin-opener-policy');
    const docsHeaders = {
      ...htmlHeaders,
      'content-security-policy': docsContentSecurityPolicy(config, issuer),
    };
    const webAppHeaders = { ...apiHeaders, 'content-security-policy': webAppContentSecurityPolicy(issuer) };
    // The development provider's own pages (login form, redirects to clients): its own headers.
    const devIdentityProviderHeaders = without(htmlHeaders, 'content-security-policy');
    const devIdentityProvider = config.oidc.issuer === undefined;
    app.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?')[0] ?? '';
      if (path === '/docs' || path.startsWith('/docs/')) reply.headers(docsHeaders);
      else if (isWebAppPath(path)) reply.headers(webAppHeaders);
      else if (devIdentityProvider && path.startsWith('/realms/')) reply.headers(devIdentityProviderHeaders);
      else reply.headers(apiHeaders);
      done();
    });

    if (config.http.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: config.http.corsOrigins,
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: [
          'authorization',
          'content-type',
          'if-match',
          'if-none-match',
          'idempotency-key',
          'x-request-id',
        ],
        exposedHeaders: ['etag', 'location', 'retry-after', 'x-request-id', 'idempotent-replayed'],
        maxAge: 600,
      });
    }

    const { max, windowSeconds } = config.http.rateLimit;
    if (max === 0) return;
    const redis = config.redisUrl ? createRedis(config.redisUrl, 'tasks-rate-limit') : undefined;
    if (redis) app.addHook('onClose', async () => void redis.disconnect());
    await app.register(rateLimit, {
      global: false,
      max,
      timeWindow: windowSeconds * 1000,
      ...(redis ? { redis, nameSpace: `${config.redisKeyPrefix}rate-limit:` } : {}),
      // Redis down: serve without a limit rather than fail every request (as the cache does).
      skipOnError: true,
      keyGenerator: (request) => callerKeyOf(verifier, request),
      errorResponseBuilder: (_request, context) =>
        new AppError(
          'RATE_LIMITED',
          `At most ${context.max} requests per ${windowSeconds} s; retry in ${context.after}.`,
          { headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) } },
        ),
      onExceeded: (request, key) => request.log.warn({ key }, 'rate limit exceeded'),
    });
    // One app-level hook, ahead of every route's own hooks: a caller is counted before the
    // token check answers, so guessing tokens is limited too.
    const limit = app.rateLimit();
    app.addHook('onRequest', async (request, reply) => {
      if (UNLIMITED_ROUTES.has(request.routeOptions.url ?? '')) return;
      await limit.call(app, request, reply);
    });
  },
  { name: 'abuse-limits' },
);
