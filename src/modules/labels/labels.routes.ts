/**
 * GET /labels: the labels on the tasks a caller can see, most used first, with
 * how many tasks carry each; what the web app suggests as a person types one.
 * Read from the counts migration 055 keeps beside the tasks, so an admin's
 * list costs a read of the counts, never of a million tasks.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { visibilityOf } from '../../auth/policy.ts';
import { problemResponses } from '../../errors/problem.schema.ts';
import type { Queryable } from '../../infra/db/database.ts';
import { LABEL_MAX_CHARACTERS, LABEL_TEXT } from '../tasks/tasks.schemas.ts';

const MAX_LABELS_LISTED = 500;

export const LabelCountSchema = Type.Object(
  {
    label: Type.String({
      ...LABEL_TEXT,
      minLength: 1,
      maxLength: LABEL_MAX_CHARACTERS,
      description: 'The label as first written (labels are the same in any case).',
      examples: ['finance'],
    }),
    count: Type.Integer({
      format: 'int32',
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'How many of the tasks the caller can see carry it.',
    }),
  },
  { $id: 'LabelCount', additionalProperties: false },
);

export const LabelListSchema = Type.Object(
  { items: Type.Array(Type.Ref('LabelCount'), { maxItems: MAX_LABELS_LISTED }) },
  { $id: 'LabelList', additionalProperties: false },
);

const LabelsQuerySchema = Type.Object(
  {
    prefix: Type.Optional(
      Type.String({
        ...LABEL_TEXT,
        minLength: 1,
        maxLength: LABEL_MAX_CHARACTERS,
        description: 'Only the labels that start with this text, in any case.',
        examples: ['fin'],
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 1,
        maximum: MAX_LABELS_LISTED,
        default: 100,
        description: 'How many labels at most (the most used).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** LIKE's own characters in a prefix match themselves. */
const likePrefix = (prefix: string | undefined) =>
  prefix === undefined ? null : `${prefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

// One owner's counts are one primary-key range; everyone's are summed per key.
const OWNER_LABELS = `
  SELECT label, task_count AS count FROM label_counts
  WHERE owner_id = $1 AND task_count > 0 AND ($2::text IS NULL OR label_key LIKE $2)
  ORDER BY task_count DESC, label_key LIMIT $3`;
const ALL_LABELS = `
  SELECT min(label) AS label, sum(task_count)::int AS count FROM label_counts
  WHERE task_count > 0 AND ($1::text IS NULL OR label_key LIKE $1)
  GROUP BY label_key ORDER BY count DESC, label_key LIMIT $2`;

export const labelsRoutes: FastifyPluginAsyncTypebox<{ db: Queryable }> = async (app, { db }) => {
  app.get(
    '/labels',
    {
      onRequest: app.authorize('task:list'),
      schema: {
        summary: 'The labels in use',
        operationId: 'listLabels',
        description:
          'The labels on the tasks the caller can see (their own; every task for admins and viewers), ' +
          'most used first, with how many tasks carry each.',
        tags: ['tasks'],
        security: [{ oidc: [] }],
        querystring: LabelsQuerySchema,
        response: {
          200: {
            description: 'The labels, most used first',
            content: { 'application/json': { schema: Type.Ref('LabelList') } },
          },
          ...problemResponses('VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'DEPENDENCY_UNAVAILABLE'),
        },
      },
    },
    async (request, reply) => {
      const { prefix, limit = 100 } = request.query;
      const visibility = visibilityOf(request.principal);
      const { rows } =
        visibility.kind === 'all'
          ? await db.query(ALL_LABELS, [likePrefix(prefix), limit])
          : await db.query(OWNER_LABELS, [visibility.ownerId, likePrefix(prefix), limit]);
      reply.header('cache-control', 'private, no-cache');
      return { items: rows };
    },
  );
};
