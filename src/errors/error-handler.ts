/**
 * The one place that turns any error into an RFC 9457 problem+json response.
 * Client errors keep their detail; 5xx details stay in the logs.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../infra/db/database.ts';
import { AppError, type FieldError } from './app-error.ts';
import { ErrorCatalogue, type ErrorCode, problemType } from './error-catalogue.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Fastify's own error codes, mapped onto the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_BAD_URL: 'ROUTE_NOT_FOUND',
};

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** Ajv's view of a failed keyword, turned into a pointer at the offending field. */
function fieldErrorOf(issue: ValidationIssue, context: string | undefined): FieldError {
  const params = issue.params as Record<string, unknown>;
  const extra = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  const path = extra === undefined ? issue.instancePath : `${issue.instancePath}/${extra}`;
  const message =
    params.additionalProperty !== undefined ? 'is not a writable field' : (issue.message ?? 'is invalid');
  if (context === 'body') return { pointer: path || '/', message };
  return { parameter: path.replace(/^\//, '').split('/')[0] || context || 'request', message };
}

/**
 * A union such as `string | null` fails once per branch and once as a whole
 * (`anyOf`), and "must be null" about a string that is too long only
 * confuses. Per field: keep the rules of the branch that fits the value's
 * type; when no branch fits, say once which types would.
 */
function fieldErrorsOf(issues: ValidationIssue[], context: string | undefined): FieldError[] {
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

function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext;
    return new AppError('VALIDATION_FAILED', `The request ${context ?? 'input'} breaks the API contract.`, {
      errors: fieldErrorsOf(fastifyError.validation, context),
    });
  }
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

export function sendProblem(request: FastifyRequest, reply: FastifyReply, appError: AppError) {
  const { title } = ErrorCatalogue[appError.code];
  return reply
    .code(appError.status)
    .headers(appError.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: problemType(appError.code),
      title,
      status: appError.status,
      detail: appError.detail,
      instance: request.url.split('?')[0],
      code: appError.code,
      request_id: request.id,
      ...(appError.errors ? { errors: appError.errors } : {}),
    });
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
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
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new AppError('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url}.`),
    ),
  );
}
