/**
 * Authentication for routes that need a caller: reads the Bearer token,
 * verifies it, and checks that the caller's roles allow the route's action.
 * Routes declare `onRequest: app.authorize('task:read')`; nothing else decides.
 * It runs in `onRequest`, before the body is read and validated, so a caller
 * without a valid token learns nothing about the body rules (401 first, never
 * a 415, 413 or 422) and no body of an unauthenticated caller is parsed.
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type Action, allows, hasAnyRole } from './policy.ts';
import type { Principal } from './principal.ts';
import { KeysUnavailable, TokenRejected, type TokenVerifier } from './token-verifier.ts';

declare module 'fastify' {
  interface FastifyInstance {
    authorize(action: Action): onRequestAsyncHookHandler;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

const REALM = 'Bearer realm="tasks"';

function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new AppError('INVALID_TOKEN', 'The Authorization header is not a Bearer token.', {
      headers: { 'www-authenticate': `${REALM}, error="invalid_request"` },
    });
  }
  return match[1];
}

async function authenticate(
  verifier: TokenVerifier,
  metrics: Metrics | undefined,
  request: FastifyRequest,
): Promise<Principal> {
  const token = bearerTokenOf(request);
  if (!token) {
    metrics?.authFailures.labels('missing_token').inc();
    throw new AppError('UNAUTHENTICATED', 'This endpoint needs an access token (Authorization: Bearer).', {
      headers: { 'www-authenticate': REALM },
    });
  }
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenRejected) {
      metrics?.authFailures.labels(error.reason).inc();
      request.log.info({ reason: error.reason }, 'access token rejected');
      throw new AppError(
        'INVALID_TOKEN',
        `The access token was rejected (${error.message.split(': ')[1]}).`,
        {
          headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
        },
      );
    }
    if (error instanceof KeysUnavailable) {
      request.log.warn({ err: error.cause }, 'identity provider keys unavailable');
      throw new AppError(
        'DEPENDENCY_UNAVAILABLE',
        'Your access token cannot be checked: the identity provider cannot be reached. Retry after Retry-After seconds.',
        { headers: { 'retry-after': '5' } },
      );
    }
    throw error;
  }
}

export interface AuthPluginOptions {
  verifier: TokenVerifier;
  /** Counts refusals by reason (tasks_auth_failures_total). */
  metrics?: Metrics;
  /** Told of every caller with a role, before the route runs (the user directory); must not throw or wait. */
  onCaller?: (principal: Principal) => void;
}

export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { verifier, metrics, onCaller }) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorate('authorize', (action: Action): onRequestAsyncHookHandler => {
      return async (request) => {
        const principal = await authenticate(verifier, metrics, request);
        request.principal = principal;
        if (!hasAnyRole(principal)) {
          throw new AppError('FORBIDDEN', 'Your account has no role in this application.');
        }
        onCaller?.(principal);
        if (!allows(principal, action)) {
          throw new AppError('FORBIDDEN', `Your roles do not allow ${action}.`);
        }
      };
    });
  },
  { name: 'auth' },
);
