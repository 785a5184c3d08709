/**
 * HTTP face of tasks: validate (schemas), authorize (declared action),
 * delegate to the service, set the contract's headers.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../../auth/principal.ts';
import { problemResponses } from '../../errors/problem.schema.ts';
import { type ListTasksQuery, ListTasksQuerySchema } from './tasks.listing-schemas.ts';
import { normalizeListQuery } from './tasks.query.ts';
import { etagOf, matchesIfNoneMatch } from './tasks.rules.ts';
import {
  CreateTaskBodySchema,
  CreateTaskHeadersSchema,
  IfMatchHeaderSchema,
  IfNoneMatchHeaderSchema,
  PatchTaskBodySchema,
  ReplaceTaskBodySchema,
  type Task,
  TaskParamsSchema,
} from './tasks.schemas.ts';
import type { TasksService } from './tasks.service.ts';
import type { WriteContext } from './tasks.write-fields.ts';

const TaskResponse = (description: string) => ({
  description,
  headers: { etag: ETAG_HEADER },
  content: { 'application/json': { schema: Type.Ref('Task') } },
});
const ETAG_HEADER = {
  type: 'string',
  maxLength: 16,
  pattern: '^"[0-9]+"$',
  examples: ['"3"'],
  description: 'The task version, "<version>".',
};
export const security = [{ oidc: [] }];
export const tags = ['tasks'];
export const AUTH_ERRORS = ['UNAUTHENTICATED', 'FORBIDDEN', 'DEPENDENCY_UNAVAILABLE'] as const;
export const BODY_ERRORS = [
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'VALIDATION_FAILED',
] as const;

export interface TasksRoutesOptions {
  service: TasksService;
}

export const tasksRoutes: FastifyPluginAsyncTypebox<TasksRoutesOptions> = async (app, { service }) => {
  const withEtag = (task: Task) => ({ etag: etagOf(task) });

  app.get(
    '/tasks',
    {
      onRequest: app.authorize('task:list'),
      schema: {
        summary: 'List tasks',
        operationId: 'listTasks',
        description:
          'Admins and viewers see every task, a user only their own. Order is total (ties broken by id). ' +
          '`cursor` (keyset) costs the same at any depth; `skip` reads and discards `skip` rows first.',
        tags,
        security,
        querystring: ListTasksQuerySchema,
        response: {
          200: { description: 'One page', content: { 'application/json': { schema: Type.Ref('TaskPage') } } },
          ...problemResponses('CONTRADICTORY_PARAMETERS', 'VALIDATION_FAILED', ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      // Ajv's useDefaults has filled in skip, limit and sort (optional for the client, never absent here).
      const query = request.query as ListTasksQuery;
      const { json, cache } = await service.list(
        request.principal,
        normalizeListQuery(query, request.principal),
      );
      // Already-serialized JSON (what the cache holds) is sent as is: no parse and re-serialize on a hit.
      return reply
        .header('x-cache', cache)
        .type('application/json; charset=utf-8')
        .send(json as never);
    },
  );

  app.get(
    '/tasks/:id',
    {
      onRequest: app.authorize('task:read'),
      schema: {
        summary: 'Read a task',
        operationId: 'getTask',
        description: 'A task the caller may not see is 404, like one that does not exist.',
        tags,
        security,
        params: TaskParamsSchema,
        headers: IfNoneMatchHeaderSchema,
        response: {
          200: TaskResponse('The task'),
          304: { description: 'Your copy (If-None-Match) is current', type: 'null' },
          ...problemResponses('TASK_NOT_FOUND', 'VALIDATION_FAILED', ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { value: task, cache } = await service.get(request.principal, request.params.id);
      reply.headers({ ...withEtag(task), 'x-cache': cache });
      // No payload at all (the typed reply asks for the schema's null): `null` would be
      // serialized, and its Content-Type and Content-Length (4) sent with the 304.
      if (matchesIfNoneMatch(request.headers['if-none-match'], task)) {
        return (reply.code(304) as FastifyReply).send();
      }
      return task;
    },
  );

  app.post(
    '/tasks',
    {
      onRequest: app.authorize('task:create'),
      schema: {
        summary: 'Create a task',
        operationId: 'createTask',
        description:
          'The caller owns the new task (an admin may name another owner). With `Idempotency-Key`, ' +
          'a retry returns the task created first; the same key with another body is 409.',
        tags,
        security,
        headers: CreateTaskHeadersSchema,
        body: CreateTaskBodySchema,
        response: {
          201: {
            ...TaskResponse('Created (or replayed for the same Idempotency-Key)'),
            headers: {
              location: {
                type: 'string',
                format: 'uri-reference',
                maxLength: 64,
                description: 'The new task.',
              },
              etag: ETAG_HEADER,
              'idempotent-replayed': {
                type: 'string',
                enum: ['true'],
                description: 'Present when this is the task an earlier request with this key created.',
              },
            },
          },
          ...problemResponses('IDEMPOTENCY_KEY_REUSED', ...BODY_ERRORS, ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { task, replayed } = await service.create(request.principal, request.body, {
        requestId: request.id,
        idempotencyKey: request.headers['idempotency-key'],
      });
      reply.code(201).headers({ ...withEtag(task), location: `/tasks/${task.id}` });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return task;
    },
  );

  const conditionalWrite = {
    params: TaskParamsSchema,
    headers: IfMatchHeaderSchema,
    tags,
    security,
  };

  /** PUT and PATCH differ only in their body and how it changes the task. */
  const changeRoute = (
    method: 'PUT' | 'PATCH',
    operationId: string,
    summary: string,
    description: string,
    body: typeof ReplaceTaskBodySchema | typeof PatchTaskBodySchema,
    consumes: string[],
    change: (principal: Principal, id: string, body: never, write: WriteContext) => Promise<Task>,
  ) =>
    app.route({
      method,
      url: '/tasks/:id',
      onRequest: app.authorize('task:update'),
      schema: {
        summary,
        operationId,
        description: `${description} With \`If-Match\`, 412 if the task changed since it was read.`,
        ...conditionalWrite,
        body,
        consumes,
        response: {
          200: TaskResponse('The task as stored'),
          ...problemResponses('TASK_NOT_FOUND', 'PRECONDITION_FAILED', ...BODY_ERRORS, ...AUTH_ERRORS),
        },
      },
      handler: async (request, reply) => {
        const { id } = request.params as { id: string };
        const task = await change(request.principal, id, request.body as never, {
          requestId: request.id,
          ifMatch: request.headers['if-match'],
        });
        reply.headers(withEtag(task));
        return task;
      },
    });

  changeRoute(
    'PUT',
    'replaceTask',
    'Replace a task',
    'Replaces title, description and status (an omitted optional field returns to its default).',
    ReplaceTaskBodySchema,
    ['application/json'],
    (principal, id, body, write) => service.replace(principal, id, body, write),
  );
  changeRoute(
    'PATCH',
    'patchTask',
    'Change some fields of a task',
    'JSON merge patch (RFC 7396; `application/merge-patch+json` or `application/json`) of the writable fields.',
    PatchTaskBodySchema,
    ['application/merge-patch+json', 'application/json'],
    (principal, id, body, write) => service.patch(principal, id, body, write),
  );

  app.delete(
    '/tasks/:id',
    {
      onRequest: app.authorize('task:delete'),
      schema: {
        summary: 'Delete a task',
        operationId: 'deleteTask',
        description: 'A second DELETE of the same task is 404.',
        ...conditionalWrite,
        response: {
          204: { description: 'Deleted', type: 'null' },
          ...problemResponses('TASK_NOT_FOUND', 'PRECONDITION_FAILED', 'VALIDATION_FAILED', ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      await service.delete(request.principal, request.params.id, {
        requestId: request.id,
        ifMatch: request.headers['if-match'],
      });
      return reply.code(204).send(null);
    },
  );
};
