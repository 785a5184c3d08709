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
    status: Type.String(),
    checks: Type.Optional(Type.Record(Type.String(), Type.String())),
  });

  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the primary database answers',
        tags: ['operations'],
        response: { 200: Status, ...problemResponses('DEPENDENCY_UNAVAILABLE') },
      },
    },
    async (request, reply) => {
      if (await databaseAnswers(db)) return { status: 'ready', checks: { database: 'up' } };
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
