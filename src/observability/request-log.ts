/**
 * Fastify's request log lines: none when a request comes in; one flat
 * access line when it completes (method, URL, status, duration; the request
 * id comes with the request's logger). Writes, errors and slow requests are
 * logged at `info`; a fast successful read only at `debug`: at thousands of
 * reads per second a line per read costs a measurable share of the CPU
 * (docs/performance.md), NGINX's access log has every request, and metrics
 * count them. A nested object would also be walked by the logger's
 * redaction, hence the flat fields.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

const SLOW_REQUEST_MS = 1_000;

const isRoutineRead = (request: FastifyRequest, reply: FastifyReply) =>
  (request.method === 'GET' || request.method === 'HEAD') &&
  reply.statusCode < 400 &&
  reply.elapsedTime < SLOW_REQUEST_MS;

export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      // As received: a mounted handler (the development identity provider) rewrites `url` without its prefix.
      url: request.originalUrl,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (isRoutineRead(request, reply)) reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}
