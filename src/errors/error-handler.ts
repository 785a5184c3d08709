/**
 * The one place that turns any error into an RFC 9457 problem+json response.
 * Client errors keep their detail; 5xx details stay in the logs.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { followRouteMethods, type RouterOptions } from '../http/allowed-methods.ts';
import { isDatabaseUnavailable } from '../infra/db/database.ts';
import { AppError, type FieldError, MAX_FIELD_ERRORS } from './app-error.ts';
import { ErrorCatalogue, type ErrorCode, problemType } from './error-catalogue.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A byte count as people read it: 64 KiB, 1 MiB, 16,397 bytes. */
const sizeOf = (bytes: number) =>
  bytes % 1024 ** 2 === 0
    ? `${bytes / 1024 ** 2} MiB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes.toLocaleString('en')} bytes`;

/** Fastify's own error codes, mapped onto the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
};

/**
 * Paths the router refuses before any route is chosen (Fastify's
 * `frameworkErrors`): no resource is there, so 404 (a malformed task id is a
 * 404 like an unknown one), with a detail that does not echo the path.
 */
const FRAMEWORK_PATH_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: 'Nothing is at this path: it is not valid percent-encoding (RFC 3986).',
  FST_ERR_MAX_PARAM_LENGTH: 'Nothing is at this path: a segment is longer than any id (200 characters).',
};

/** The start of a validation problem's detail, by the part of the request that failed (with its verb). */
const BROKEN_PART: Record<string, string> = {
  body: 'The request body breaks',
  querystring: 'The query string breaks',
  params: 'The path parameters break',
  headers: 'The request headers break',
};

export type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** What an unknown name is, by the part of the request it is in. */
const UNKNOWN_NAME: Record<string, string> = {
  body: 'is not a writable field',
  querystring: 'is not a query parameter of this operation',
};

/** Ajv's message, but for what it leaves vague: an unknown name, and an enum's values (which it does not list). */
function messageOf(issue: ValidationIssue, context: string | undefined): string {
  const params = issue.params as Record<string, unknown>;
  if (params.additionalProperty !== undefined) {
    return UNKNOWN_NAME[context ?? ''] ?? 'is not a parameter of this operation';
  }
  if (issue.keyword === 'enum') return `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  return issue.message ?? 'is invalid';
}

const MAX_PARAMETER_NAME = 255;

/**
 * A parameter's name as a URL writes it: visible ASCII as it is, any other
 * character percent-encoded (a name may hold spaces, any script, control
 * characters), cut to the Problem schema's 255 characters.
 */
export function parameterNameAsWritten(name: string): string {
  const written = /^[\x21-\x7E]*$/.test(name)
    ? name
    : [...Buffer.from(name, 'utf8')]
        .map((byte) =>
          byte > 0x20 && byte < 0x7f
            ? String.fromCharCode(byte)
            : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
        )
        .join('');
  return written.length > MAX_PARAMETER_NAME ? `${written.slice(0, MAX_PARAMETER_NAME - 3)}...` : written;
}

/** Ajv's view of a failed keyword, turned into a pointer at the offending field. */
function fieldErrorOf(issue: ValidationIssue, context: string | undefined): FieldError {
  const params = issue.params as Record<string, unknown>;
  const extra = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  const path = extra === undefined ? issue.instancePath : `${issue.instancePath}/${extra}`;
  const message = messageOf(issue, context);
  if (context === 'body') return { pointer: path || '/', message };
  // The name itself, not the first segment of a pointer to it (a name may hold a '/').
  const name = extra ?? issue.instancePath.replace(/^\//, '').split('/')[0];
  return { parameter: parameterNameAsWritten(name || context || 'request'), message };
}

/**
 * A union such as `string | null` fails once per branch and once as a whole
 * (`anyOf`), and "must be null" about a string that is too long only
 * confuses. Per field: keep the rules of the branch that fits the value's
 * type; when no branch fits, say once which types would.
 */
export function fieldErrorsOf(issues: ValidationIssue[], context: string | undefined): FieldError[] {
  const byField = new Map<string, { field: FieldError; issue: ValidationIssue }[]>();
  for (const issue of issues) {
    const field = fieldErrorOf(issue, context);
    const key = field.pointer ?? field.parameter ?? '';
    byField.set(key, [...(byField.get(key) ?? []), { field, issue }]);
  }
  return [...byField.values()].flatMap((group) => {
    const specific = group.filter(({ issue }) => issue.keyword !== 'anyOf' && issue.keyword !== 'type');
    if (specific.length > 0) return specific.map(({ field }) => field);
    const types = group.flatMap(({ issue }) => (issue.keyword === 'type' ? [String(issue.params.type)] : []));
    const first = group[0];
    if (types.length < 2 || !first) return group.map(({ field }) => field);
    return [{ ...first.field, message: `must be ${types.join(' or ')}` }];
  });
}

/**
 * The request's own body stream failed because the client went away before
 * sending all of it (Node's `aborted`, ECONNRESET): the client's doing, not
 * a dependency's, so never a 503 that anyone could raise at will.
 */
const isClientAbort = (error: Error, request: FastifyRequest) =>
  request.raw.readableAborted && (error as NodeJS.ErrnoException).code === 'ECONNRESET';

function toAppError(error: FastifyError | AppError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (isClientAbort(error, request)) {
    return new AppError(
      'MALFORMED_REQUEST',
      'The client closed the connection before its request body was complete.',
      { cause: error },
    );
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext;
    const errors = fieldErrorsOf(fastifyError.validation, context);
    const omitted = errors.length - MAX_FIELD_ERRORS;
    const more = omitted > 0 ? ` The first ${MAX_FIELD_ERRORS} of ${errors.length} problems are listed.` : '';
    return new AppError(
      'VALIDATION_FAILED',
      `${BROKEN_PART[context ?? ''] ?? 'The request breaks'} the API contract.${more}`,
      {
        errors: errors.slice(0, MAX_FIELD_ERRORS),
      },
    );
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const detail = `The request body is over ${sizeOf(request.routeOptions.bodyLimit)}, the most this operation takes.`;
    return new AppError('PAYLOAD_TOO_LARGE', detail, { cause: error });
  }
  const pathError = fastifyError.code ? FRAMEWORK_PATH_ERRORS[fastifyError.code] : undefined;
  if (pathError) return new AppError('ROUTE_NOT_FOUND', pathError, { cause: error });
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped, fastifyError.message, { cause: error });
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError('MALFORMED_REQUEST', 'The body is not valid JSON.', { cause: error });
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', 'The database is unavailable; retry shortly.', {
      headers: { 'retry-after': '5' },
      cause: error,
    });
  }
  const status = fastifyError.statusCode;
  if (status === 429) return new AppError('RATE_LIMITED', fastifyError.message, { cause: error });
  if (status && status >= 400 && status < 500) {
    return new AppError('MALFORMED_REQUEST', fastifyError.message, { cause: error });
  }
  return new AppError('INTERNAL', 'An unexpected error occurred; it has been logged.', { cause: error });
}

/** The Problem schema's longest `instance`. */
const MAX_INSTANCE = 2_048;

/**
 * The request's path as a URI reference: a malformed escape (`%zz`) or a raw
 * byte is escaped; a longer path than the schema's 2,048 characters is cut,
 * never inside an escape.
 */
const instanceOf = (url: string) =>
  (url.split('?')[0] ?? '')
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
    .replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (character) => encodeURIComponent(character))
    .slice(0, MAX_INSTANCE)
    .replace(/%[0-9A-Fa-f]?$/, '');

/** The problem+json body of an error: `instance` is the request path, or the request itself when it has none. */
export function problemOf(appError: AppError, requestId: string, url: string | undefined) {
  return {
    type: problemType(appError.code),
    title: ErrorCatalogue[appError.code].title,
    status: appError.status,
    detail: appError.detail,
    instance: url === undefined ? `urn:tasks:request:${requestId}` : instanceOf(url),
    code: appError.code,
    request_id: requestId,
    ...(appError.errors ? { errors: appError.errors } : {}),
    ...(appError.lines ? { lines: appError.lines } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, appError: AppError) {
  return (
    reply
      .code(appError.status)
      .headers(appError.headers)
      .type(PROBLEM_CONTENT_TYPE)
      // Also set by an onSend hook, which an error of the router (frameworkErrors) does not run.
      .header('x-request-id', request.id)
      .send(problemOf(appError, request.id, request.url))
  );
}

/** Any error as a problem+json answer: the error handler, and Fastify's `frameworkErrors` option. */
export function respondWithProblem(
  error: FastifyError | AppError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const appError = toAppError(error, request);
  if (appError.code === 'DEPENDENCY_UNAVAILABLE') {
    // Expected during an outage, and counted by status in the metrics: one line, no stack.
    request.log.warn(
      { code: appError.code, cause: String((error as Error).cause ?? error) },
      'dependency unavailable',
    );
  } else if (appError.status >= 500) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.info({ code: appError.code, detail: appError.detail }, 'request rejected');
  }
  return sendProblem(request, reply, appError);
}

/** Error handling for `app` (before any route is registered: the 405s follow the routes). */
export function registerErrorHandling(app: FastifyInstance, routerOptions: RouterOptions) {
  app.setErrorHandler(respondWithProblem);
  const allowedMethodsOf = followRouteMethods(app, routerOptions);
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethodsOf(request.url);
    const path = instanceOf(request.url);
    if (allowed.length === 0) {
      return sendProblem(request, reply, new AppError('ROUTE_NOT_FOUND', `Nothing is at ${path}.`));
    }
    const methods = allowed.join(', ');
    return sendProblem(
      request,
      reply,
      new AppError('METHOD_NOT_ALLOWED', `${path} does not take ${request.method}; it takes ${methods}.`, {
        headers: { allow: methods },
      }),
    );
  });
}
