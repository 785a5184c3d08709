/** GET /tasks/{id}/history: the task's changes, newest first, cursor-paged. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../errors/problem.schema.ts';
import { TaskParamsSchema } from '../tasks/tasks.schemas.ts';
import { type HistoryQuery, HistoryQuerySchema } from './history.schemas.ts';
import type { HistoryService } from './history.service.ts';

export const historyRoutes: FastifyPluginAsyncTypebox<{ service: HistoryService }> = async (
  app,
  { service },
) => {
  app.get(
    '/tasks/:id/history',
    {
      onRequest: app.authorize('task:read'),
      schema: {
        summary: "A task's history",
        operationId: 'getTaskHistory',
        description:
          'Every change to the task, newest first: who made it, in which request, each changed field before ' +
          'and after, and the hash chain `npm run history:verify` checks. Whoever may read the task may read ' +
          'its history; after the task is deleted, admins only. Otherwise 404, like an unknown task.',
        tags: ['tasks'],
        security: [{ oidc: [] }],
        params: TaskParamsSchema,
        querystring: HistoryQuerySchema,
        response: {
          200: {
            description: 'One page',
            content: { 'application/json': { schema: Type.Ref('TaskHistoryPage') } },
          },
          ...problemResponses(
            'TASK_NOT_FOUND',
            'INVALID_CURSOR',
            'VALIDATION_FAILED',
            'UNAUTHENTICATED',
            'FORBIDDEN',
            'DEPENDENCY_UNAVAILABLE',
          ),
        },
      },
    },
    // Ajv's useDefaults has filled in limit (optional for the client, never absent here).
    async (request) => service.page(request.principal, request.params.id, request.query as HistoryQuery),
  );
};
