/**
 * HTTP face of bulk changes (tasks.bulk.ts): POST /tasks/bulk.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../errors/problem.schema.ts';
import {
  BULK_MAX_TASKS,
  BulkChangeBodySchema,
  BulkChangeHeadersSchema,
  TaskBulkChanges,
} from './tasks.bulk.ts';
import { AUTH_ERRORS, BODY_ERRORS, security, tags } from './tasks.routes.ts';
import type { TasksService } from './tasks.service.ts';

export const bulkRoutes: FastifyPluginAsyncTypebox<{ service: TasksService }> = async (app, { service }) => {
  const bulk = new TaskBulkChanges(service);
  app.post(
    '/tasks/bulk',
    {
      onRequest: app.authorize('task:update'),
      schema: {
        summary: 'Change many tasks at once',
        operationId: 'bulkChangeTasks',
        description:
          `One change (status, priority, labels added or removed) to 1–${BULK_MAX_TASKS} tasks, all or nothing: ` +
          'each task is changed as a PATCH changes it (its history entry and `task.updated` event), and a task ' +
          'the caller may not change (404, as for a PATCH), or whose `version` is not the one given (412), ' +
          'fails the whole request with a problem naming it (`errors[].pointer`). With `Idempotency-Key`, a ' +
          'retry answers the first result again; the same key with another body is 409.',
        tags,
        security,
        headers: BulkChangeHeadersSchema,
        body: BulkChangeBodySchema,
        response: {
          200: {
            description: 'Every task changed (or replayed for the same Idempotency-Key)',
            headers: {
              'idempotent-replayed': {
                type: 'string',
                enum: ['true'],
                description: 'Present when this is the answer of an earlier request with this key.',
              },
            },
            content: { 'application/json': { schema: Type.Ref('BulkChangeResult') } },
          },
          ...problemResponses(
            'TASK_NOT_FOUND',
            'PRECONDITION_FAILED',
            'IDEMPOTENCY_KEY_REUSED',
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
          ),
        },
      },
    },
    async (request, reply) => {
      const { result, replayed } = await bulk.change(request.principal, request.body, {
        requestId: request.id,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return result;
    },
  );
};
