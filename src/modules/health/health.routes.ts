/**
 * Liveness (`/healthz`: the process serves, no dependency touched) and
 * readiness (`/readyz`: the primary database answers).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { sendProblem } from '../../errors/error-handler.ts';
import { problemResponses } from '../../errors/problem.schema.ts';
import type { Database } from '../../infra/db/database.ts';

const READINESS_TIMEOUT_MS = 2_000;

export interface HealthRoutesOptions {
  db: Database;
}

async function databaseAnswers(db: Database): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS);
  });
  const probe = db.primary.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { db }) => {
  const Status = Type.Object({
    status: Type.Enum(['ok', 'ready']),
    checks: Type.Optional(Type.Record(Type.String(), Type.Enum(['up']))),
  });

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        description: 'The process serves; touches no dependency. Public, never rate-limited.',
        operationId: 'liveness',
        tags: ['operations'],
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the primary database answers',
        description: 'Public, never rate-limited: 503 with Retry-After while the database is down.',
        operationId: 'readiness',
        tags: ['operations'],
        response: { 200: Status, ...problemResponses('DEPENDENCY_UNAVAILABLE') },
      },
    },
    async (request, reply) => {
      if (await databaseAnswers(db)) return { status: 'ready' as const, checks: { database: 'up' as const } };
      return sendProblem(
        request,
        reply,
        new AppError('DEPENDENCY_UNAVAILABLE', 'Not ready: database is down.', {
          headers: { 'retry-after': '5' },
        }),
      );
    },
  );
};
