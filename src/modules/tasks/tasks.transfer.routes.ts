/**
 * HTTP face of taking tasks out and bringing them in: GET /tasks/export
 * (streamed, tasks.export.ts) and POST /tasks/import (tasks.import.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../errors/problem.schema.ts';
import { utf8TextOf } from '../../http/json-body.ts';
import type { Database } from '../../infra/db/database.ts';
import {
  EXPORT_BATCH_ROWS,
  ExportTasksQuerySchema,
  exportDisposition,
  exportedBatches,
  exportFormatOf,
  exportListing,
  exportStream,
} from './tasks.export.ts';
import {
  assertImportLength,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_TASKS,
  IMPORT_MEDIA_TYPE,
  ImportHeadersSchema,
  TaskImports,
} from './tasks.import.ts';
import type { TaskReads } from './tasks.reads.ts';
import { AUTH_ERRORS, BODY_ERRORS, security, tags } from './tasks.routes.ts';

export interface TransferRoutesOptions {
  db: Database;
  reads: TaskReads;
}

export const transferRoutes: FastifyPluginAsyncTypebox<TransferRoutesOptions> = async (
  app,
  { db, reads },
) => {
  const imports = new TaskImports(db, reads);
  // Here only: no other route takes NDJSON. Strict UTF-8, as every JSON body.
  app.addContentTypeParser(IMPORT_MEDIA_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, utf8TextOf(request, body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.get(
    '/tasks/export',
    {
      onRequest: app.authorize('task:list'),
      schema: {
        summary: 'Export tasks',
        operationId: 'exportTasks',
        description:
          'Every task the caller may read (a user: their own), with the filters of `GET /tasks`, oldest first, ' +
          'as NDJSON (one task per line, as `GET /tasks/{id}` shows it; the default) or CSV (RFC 4180, a header ' +
          'row, labels as one comma-separated field), chosen by `Accept`. Streamed: read in batches of ' +
          `${EXPORT_BATCH_ROWS} as the client takes them. A task that exists throughout the export is in it once.`,
        tags,
        security,
        querystring: ExportTasksQuerySchema,
        response: {
          200: {
            description: 'The tasks, as a download (`Content-Disposition: attachment`)',
            headers: {
              'content-disposition': {
                type: 'string',
                maxLength: 100,
                pattern: '^attachment; filename="tasks-[0-9]{4}-[0-9]{2}-[0-9]{2}\\.(ndjson|csv)"$',
                examples: ['attachment; filename="tasks-2024-05-01.ndjson"'],
                description: 'A download named after the day of the export.',
              },
            },
            content: {
              // Each line is a Task, as the event stream's each event is a TaskEvent.
              'application/x-ndjson': { schema: Type.Ref('Task') },
              'text/csv': {
                schema: Type.String({
                  description: 'A header row (the fields of a Task), then one task per row.',
                }),
              },
            },
          },
          ...problemResponses(
            'NOT_ACCEPTABLE',
            'CONTRADICTORY_PARAMETERS',
            'VALIDATION_FAILED',
            ...AUTH_ERRORS,
          ),
        },
      },
    },
    async (request, reply) => {
      const format = exportFormatOf(request.headers.accept);
      const listing = exportListing(request.query, request.principal);
      // The first batch is read before any byte is sent: a database that cannot answer is a 503, not a cut body.
      const body = await exportStream(exportedBatches(db.primary, listing), format);
      return reply
        .type(`${format}; charset=utf-8`)
        .header('content-disposition', exportDisposition(format))
        .send(body as never);
    },
  );

  app.post(
    '/tasks/import',
    {
      onRequest: app.authorize('task:import'),
      preParsing: async (request) => assertImportLength(request.headers['content-length']),
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        summary: 'Import tasks',
        operationId: 'importTasks',
        description:
          'Admins only. NDJSON, one task per line as `POST /tasks` takes it (a line of the export is one too: ' +
          'the fields the server assigns are ignored). All or nothing: a bad line and no task is stored; the ' +
          '422 lists each bad line (`lines`). Each task gets its `task.created` event and history entry. ' +
          `At most ${IMPORT_MAX_TASKS.toLocaleString('en')} tasks and ${IMPORT_MAX_BYTES / 1024 / 1024} MiB (413). ` +
          'The `Idempotency-Key` is required: sent again with the same body, the first answer and nothing stored.',
        tags,
        security,
        headers: ImportHeadersSchema,
        consumes: [IMPORT_MEDIA_TYPE],
        body: Type.String({
          maxLength: IMPORT_MAX_BYTES,
          description: 'NDJSON: one JSON object per line; blank lines are skipped.',
          examples: ['{"title":"Buy milk","labels":["home"]}\n{"title":"Call the bank","priority":"high"}\n'],
        }),
        response: {
          200: {
            description: 'Imported (or replayed for the same Idempotency-Key)',
            headers: {
              'idempotent-replayed': {
                type: 'string',
                enum: ['true'],
                description: 'Present when this is the answer of an earlier import with this key.',
              },
            },
            content: { 'application/json': { schema: Type.Ref('ImportResult') } },
          },
          ...problemResponses('IDEMPOTENCY_KEY_REUSED', ...BODY_ERRORS, ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { result, replayed } = await imports.import(request.principal, request.body, {
        requestId: request.id,
        importKey: request.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return result;
    },
  );
};
