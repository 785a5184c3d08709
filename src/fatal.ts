/**
 * How a program of this project ends on an error it cannot go on after
 * (`npm start`, the worker, the tools): one line on stderr that says what
 * failed, whatever was thrown (an Error, a string, undefined), and exit code 1.
 * A programming error (TypeError and its kin) also names where it happened.
 */
import { inspect } from 'node:util';

const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

/** The one line that describes what was thrown. */
export function describeFatal(error: unknown): string {
  if (!(error instanceof Error)) {
    return `something that is not an Error was thrown: ${inspect(error, { breakLength: Number.POSITIVE_INFINITY })}`;
  }
  let text = PROGRAMMING_ERRORS.has(error.name)
    ? `${error.name}: ${error.message}`
    : error.message || error.name;
  const where = PROGRAMMING_ERRORS.has(error.name) ? /\n\s+at (.*)/.exec(error.stack ?? '')?.[1] : undefined;
  if (where) text += ` (at ${where})`;
  if (error.cause !== undefined) text += `: ${describeFatal(error.cause)}`;
  return text;
}

/** A `.catch` for a program's main: prints `<program> failed: <what>` and exits 1. */
export function exitOnFatal(program: string): (error: unknown) => never {
  return (error: unknown) => {
    process.stderr.write(`${program} failed: ${describeFatal(error)}\n`);
    process.exit(1);
  };
}
