/**
 * The API's own documentation, served: the schemas responses refer to by
 * name, the OpenAPI document (openapi.ts) and the interactive docs page.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { ProblemSchema } from '../errors/problem.schema.ts';
import { TaskHistoryEntrySchema, TaskHistoryPageSchema } from '../modules/history/history.schemas.ts';
import { LabelCountSchema, LabelListSchema } from '../modules/labels/labels.routes.ts';
import { BulkChangeResultSchema } from '../modules/tasks/tasks.bulk.ts';
import { TaskEventSchema } from '../modules/tasks/tasks.events.ts';
import { ImportResultSchema } from '../modules/tasks/tasks.import.ts';
import { TaskPageSchema } from '../modules/tasks/tasks.listing-schemas.ts';
import { TaskSchema } from '../modules/tasks/tasks.schemas.ts';
import { UserPageSchema, UserSchema } from '../modules/users/users.routes.ts';
import { openApiDocument, swaggerUiOptions } from '../openapi.ts';

export async function serveApiDocs(app: FastifyInstance, config: Config, issuer: string): Promise<void> {
  for (const schema of [
    ProblemSchema,
    TaskSchema,
    TaskPageSchema,
    ImportResultSchema,
    BulkChangeResultSchema,
    TaskHistoryEntrySchema,
    TaskHistoryPageSchema,
    TaskEventSchema,
    UserSchema,
    UserPageSchema,
    LabelCountSchema,
    LabelListSchema,
  ])
    app.addSchema(schema);
  await app.register(swagger, openApiDocument(config, issuer));
  await app.register(swaggerUi, swaggerUiOptions(config));
}
