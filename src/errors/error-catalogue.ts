/**
 * Every error the API can answer with, by stable code. Clients match on
 * `code` (and `type`), never on `title` or `detail` wording.
 */
export const ErrorCatalogue = {
  MALFORMED_REQUEST: { status: 400, title: 'Malformed request' },
  CONTRADICTORY_PARAMETERS: { status: 400, title: 'Contradictory parameters' },
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  INVALID_LOGOUT_TOKEN: { status: 400, title: 'Invalid logout token' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_TOKEN: { status: 401, title: 'Invalid access token' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  TASK_NOT_FOUND: { status: 404, title: 'Task not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'Idempotency key reused with a different body' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  VALIDATION_FAILED: { status: 422, title: 'Validation failed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'Service temporarily unavailable' },
  OVERLOADED: { status: 503, title: 'Server at capacity' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

/** RFC 9457 `type` URI of a code: stable, documented in the OpenAPI document. */
export function problemType(code: ErrorCode): string {
  return `urn:tasks:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
