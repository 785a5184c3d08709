/**
 * What every operation of the OpenAPI document shares, added in one place
 * rather than repeated in each route schema: the answers of the abuse limits
 * (429 with Retry-After, and the rate-limit headers on every 2xx and 4xx), the
 * HTTP parser's (400, 408, 431), a 500, and the CORS header that an allowed origin receives.
 */
import { UNLIMITED_ROUTES } from './http/abuse-limits.ts';

type Json = Record<string, unknown>;

const count = (description: string) => ({
  description,
  schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000 },
});

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': count('Requests a caller may make per window (absent when RATE_LIMIT_MAX=0).'),
  'X-RateLimit-Remaining': count('Requests left in the current window.'),
  'X-RateLimit-Reset': count('Seconds until the current window ends.'),
};

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': {
    description: "Only when the request's Origin is one of CORS_ORIGINS (none by default).",
    schema: { type: 'string', format: 'uri', maxLength: 2048 },
  },
};

const problem = (description: string, headers: Json = {}) => ({
  description,
  headers: { ...headers, ...CORS_HEADERS },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Mutates and returns the generated document (the @fastify/swagger `transformObject` hook). */
export function declareCommonResponses<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Json> }).paths ?? {};
  for (const [path, item] of Object.entries(paths)) {
    const limited = !UNLIMITED_ROUTES.has(path);
    for (const method of METHODS) {
      const operation = item[method] as { responses?: Record<string, Json> } | undefined;
      if (!operation?.responses) continue;
      const responses = operation.responses;
      if (limited) {
        responses['429'] = problem('Too many requests from this caller: retry after Retry-After seconds.', {
          'Retry-After': count('Seconds to wait before retrying.'),
        });
      }
      // Node's HTTP parser answers these before any route is chosen, whichever operation was meant.
      responses['400'] ??= problem(
        'Malformed request: not valid HTTP/1.1 (or, for some operations, not their input).',
      );
      responses['408'] = problem('The request did not arrive in time.');
      responses['431'] = problem('The request line and headers are over 16 KiB together.');
      responses['500'] = problem('An unexpected error (details only in the logs).');
      if (!limited) continue;
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[24]/.test(status)) continue;
        response.headers = { ...RATE_LIMIT_HEADERS, ...CORS_HEADERS, ...(response.headers as Json) };
      }
    }
  }
  return document;
}
