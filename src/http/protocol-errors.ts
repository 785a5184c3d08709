/**
 * Answers to requests that break HTTP itself, before any route sees them,
 * are problem+json like every other error: a request Node's parser refuses
 * (bad syntax, 431 for a request line or headers over 16 KiB, 408), a path
 * the router refuses (Fastify's `frameworkErrors`), an HTTP/1.1 request
 * without Host. A parse error on a connection never costs the answers of
 * the requests before it (HTTP pipelining): those are sent first, then the
 * error, then the connection closes.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { PROBLEM_CONTENT_TYPE, problemOf, respondWithProblem } from '../errors/error-handler.ts';

/** A parse error of Node's HTTP parser (llhttp): its code, and its reason in words. */
type ParseError = Error & { code?: string; reason?: string };

function appErrorOf(error: ParseError): AppError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new AppError(
      'HEADERS_TOO_LARGE',
      'The request line and headers are over 16 KiB together (a URL with thousands of parameters, a huge header).',
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new AppError('REQUEST_TIMEOUT', 'The request did not arrive in time; send it again.');
  }
  const reason = (error.reason ?? 'it could not be parsed').replace(/[^\x20-\x7E]/g, '');
  return new AppError('MALFORMED_REQUEST', `The request is not valid HTTP/1.1: ${reason}.`);
}

/** A complete HTTP/1.1 answer, written straight to a socket that has no request object. */
function rawProblemResponse(appError: AppError, requestId: string): string {
  const body = JSON.stringify(problemOf(appError, requestId, undefined));
  return [
    `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Calls `answer` once the socket answers no earlier request. Node attaches
 * the responses of pipelined requests to the socket one at a time, the next
 * one when the one before has finished; so wait for each in turn. A request
 * whose body is still arriving is the one the error broke (or the client
 * went away in the middle of it): it gets no other answer, so `abort`.
 */
function afterAnswersInFlight(socket: HttpSocket, answer: () => void, abort: () => void): void {
  if (socket.destroyed) return;
  const answering = socket._httpMessage;
  if (!answering || answering.writableFinished) {
    answer();
    return;
  }
  if (!answering.req.complete) {
    abort();
    return;
  }
  const next = () => {
    answering.off('finish', next);
    answering.off('close', next);
    setImmediate(() => afterAnswersInFlight(socket, answer, abort));
  };
  answering.on('finish', next);
  answering.on('close', next);
}

/** Sockets already being answered a parse error: the parser reports every later byte again. */
const answered = new WeakSet<Socket>();

function onClientError(this: FastifyInstance, error: ParseError, socket: HttpSocket): void {
  // A connection reset by the client: nobody is left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const appError = appErrorOf(error);
  const requestId = crypto.randomUUID();
  this.log.info(
    { code: appError.code, reason: error.code, reqId: requestId },
    'request rejected by the HTTP parser',
  );
  const response = rawProblemResponse(appError, requestId);
  afterAnswersInFlight(
    socket,
    () => (socket.writable ? socket.end(response) : socket.destroy()),
    () => {
      // As Node does: the broken request's own answer, if none of it was sent yet; then the end.
      if (socket.writable && !socket._httpMessage?.headersSent) socket.write(response);
      socket.destroy(error);
    },
  );
}

/** The Fastify constructor options that route every protocol error through the problem+json answers. */
export const protocolErrorOptions = {
  clientErrorHandler: onClientError,
  frameworkErrors: respondWithProblem,
  // Node would answer a missing Host itself, with an empty 400: the hook below answers instead.
  http: { requireHostHeader: false },
};

/** HTTP/1.1 requires Host (RFC 9112, section 3.2); HTTP/1.0 does not know it. */
export function requireHostHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && !request.headers.host) {
      throw new AppError(
        'MALFORMED_REQUEST',
        'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2).',
      );
    }
  });
}
