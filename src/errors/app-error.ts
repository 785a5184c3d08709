import { ErrorCatalogue, type ErrorCode } from './error-catalogue.ts';

/** One invalid input: `pointer` into the body (RFC 6901) or a query/header `parameter`. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error meant for the client: rendered as problem+json by the error handler. */
export class AppError extends Error {
  readonly status: number;
  readonly errors: FieldError[] | undefined;
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
    this.headers = options.headers ?? {};
  }
}

export const taskNotFound = () => new AppError('TASK_NOT_FOUND', 'No task with this id is visible to you.');

export const validationFailed = (errors: FieldError[]) =>
  new AppError('VALIDATION_FAILED', 'The request breaks the rules of the API contract.', { errors });
