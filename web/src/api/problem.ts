/**
 * RFC 9457 problem details turned into what a person reads: one sentence
 * per status, and the field messages of a 422 keyed by the form field their
 * JSON pointer names (`/title` -> `title`).
 */
export interface FieldProblem {
  pointer?: string;
  parameter?: string;
  message: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemBody;
  /** Seconds the server asked us to wait (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, problem: ProblemBody, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request never got an answer: offline, DNS, connection refused. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The server could not be reached.', { cause });
    this.name = 'NetworkError';
  }
}

/** `/title` -> `title`, `/description` -> `description`; the body itself (`/`) -> `form`. */
export function fieldOfPointer(pointer: string): string {
  const first = pointer.split('/')[1] ?? '';
  return first === '' ? 'form' : first.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A 422's messages by form field; several messages for one field are joined. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 422) return {};
  const fields: Record<string, string> = {};
  for (const item of error.problem.errors ?? []) {
    const field = item.pointer !== undefined ? fieldOfPointer(item.pointer) : (item.parameter ?? 'form');
    fields[field] = fields[field] ? `${fields[field]} ${item.message}` : item.message;
  }
  return fields;
}

/** One sentence a person understands, for any failure of a call. */
export function messageOf(error: unknown): string {
  if (error instanceof NetworkError)
    return 'You appear to be offline. Nothing was lost; try again when connected.';
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.status) {
    case 401:
      return 'Your session has ended. Sign in again to continue.';
    case 403:
      return 'Your role does not allow this.';
    case 404:
      return 'This task no longer exists, or you may not see it.';
    case 409:
      return 'This request was already made with different content.';
    case 412:
      return 'Someone else changed this task in the meantime.';
    case 422:
      return error.problem.detail ?? 'Some fields need attention.';
    case 429:
      return `Too many requests; retrying in ${error.retryAfterSeconds ?? 1} s.`;
    case 503:
      return 'The service is temporarily unavailable. Nothing was lost; try again shortly.';
    default:
      return error.problem.detail ?? error.problem.title ?? 'Something went wrong. Please try again.';
  }
}
