import { ErrorCatalogue, type ErrorCode } from './error-catalogue.ts';

/** One invalid input: `pointer` into the body (RFC 6901) or a query/header `parameter`. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  message: string;
}

/** At most this many `errors` in one problem (the Problem schema's maxItems): a flood of bad input is not echoed back. */
export const MAX_FIELD_ERRORS = 100;

/** The invalid input of one line of a line-by-line body (NDJSON): its 1-based number and its errors. */
export interface LineErrors {
  line: number;
  errors: FieldError[];
}

export interface AppErrorOptions {
  errors?: FieldError[];
  lines?: LineErrors[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error meant for the client: rendered as problem+json by the error handler. */
export class AppError extends Error {
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly lines: LineErrors[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.status = ErrorCatalogue[code].status;
    this.errors = options.errors;
    this.lines = options.lines;
    this.headers = options.headers ?? {};
  }
}

export const taskNotFound = () => new AppError('TASK_NOT_FOUND', 'No task with this id is visible to you.');

/** A rule the schema does not state, broken: worded as the validator's 422 (error-handler.ts). */
export const validationFailed = (errors: FieldError[]) =>
  new AppError(
    'VALIDATION_FAILED',
    errors.every((error) => error.pointer !== undefined)
      ? 'The request body breaks the API contract.'
      : 'The request breaks the API contract.',
    { errors },
  );
