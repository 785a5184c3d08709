/**
 * A route takes exactly the body media types its schema declares (`consumes`,
 * which is also what the OpenAPI document lists; `application/json` when it
 * declares none): any other is a 415 that names the accepted ones. The
 * content-type parsers are shared by every route of a context, so without
 * this check PUT and POST would take PATCH's `application/merge-patch+json`.
 * Checked in `preParsing`: after authentication, before the body is read.
 */
import type { FastifyInstance, preParsingHookHandler } from 'fastify';
import { AppError } from '../errors/app-error.ts';

const DEFAULT_BODY_MEDIA_TYPE = 'application/json';

const mediaTypeOf = (contentType: string) => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/**
 * The 415 of a body whose media type the operation does not take: the detail
 * names the accepted ones for a person, `Accept` for a client (RFC 9110,
 * section 15.5.16), and `Accept-Patch` too for PATCH (RFC 5789).
 */
function unsupportedMediaType(received: string, accepted: readonly string[], method: string): AppError {
  const types = accepted.join(', ');
  return new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    `This operation takes a body of type ${accepted.join(' or ')}, not ${received || 'an empty type'}.`,
    { headers: method === 'PATCH' ? { accept: types, 'accept-patch': types } : { accept: types } },
  );
}

function accepting(accepted: readonly string[]): preParsingHookHandler {
  const allowed = new Set(accepted);
  return async (request) => {
    const contentType = request.headers['content-type'];
    // No Content-Type at all is left to the body schema (a 422 for a required body).
    if (contentType === undefined) return;
    const mediaType = mediaTypeOf(contentType);
    if (!allowed.has(mediaType)) throw unsupportedMediaType(mediaType, accepted, request.method);
  };
}

/** Registers the check for every route added after this call that has a body schema. */
export function enforceDeclaredMediaTypes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { body?: unknown; consumes?: string[] } | undefined;
    if (!schema?.body) return;
    const check = accepting(schema.consumes ?? [DEFAULT_BODY_MEDIA_TYPE]);
    const existing = route.preParsing;
    route.preParsing = existing === undefined ? [check] : [check, ...[existing].flat()];
  });
}
