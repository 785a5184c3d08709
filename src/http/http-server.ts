/**
 * The Fastify instance every request meets first: body and time limits,
 * which proxies to believe, request ids, and problem+json for every error
 * (the HTTP parser's included).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.ts';
import { registerErrorHandling } from '../errors/error-handler.ts';
import { createLogger, requestIdOf } from '../observability/logger.ts';
import { AccessLogController } from '../observability/request-log.ts';
import { closeConnectionsWhenIdle } from './graceful-close.ts';
import { protocolErrorOptions, requireHostHeader } from './protocol-errors.ts';
import { validatorCompiler } from './validator-compiler.ts';

const BODY_LIMIT_BYTES = 64 * 1024;
const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 200 };

export function createHttpServer(config: Config) {
  const app = Fastify({
    // As the base logger type: a pino-specific type would change the type of every plugin's instance.
    loggerInstance: createLogger(config, 'tasks-api') as FastifyBaseLogger,
    genReqId: requestIdOf,
    logController: new AccessLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: config.http.requestTimeoutSeconds * 1000,
    connectionTimeout: config.http.connectionTimeoutSeconds * 1000,
    trustProxy:
      typeof config.http.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.http.trustProxy as number)
        : config.http.trustProxy,
    forceCloseConnections: 'idle',
    ajv: { customOptions: {} },
    routerOptions: ROUTER_OPTIONS,
    ...protocolErrorOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app, ROUTER_OPTIONS);
  requireHostHeader(app);
  closeConnectionsWhenIdle(app);
  return app;
}
