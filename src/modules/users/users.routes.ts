/** GET /users: the directory of people the API has seen, for those who see everyone's tasks. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problemResponses } from '../../errors/problem.schema.ts';
import { invalidCursor } from '../tasks/tasks.cursor.ts';
import { ID_TEXT } from '../tasks/tasks.events.ts';
import type { UserDirectory } from './users.directory.ts';

const CURSOR = { maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', examples: ['Yi1ib2I'] };

export const UserSchema = Type.Object(
  {
    sub: Type.String({
      maxLength: 255,
      pattern: ID_TEXT,
      description: "The identity provider's subject: a task's `owner_id`.",
      examples: ['b0b0b0b0-0000-4000-8000-000000000002'],
    }),
    name: Type.Union([Type.String({ maxLength: 255, pattern: ID_TEXT }), Type.Null()], {
      description: 'A name to show (full name, else user name).',
      examples: ['bob'],
    }),
    email: Type.Union([Type.String({ maxLength: 320, pattern: ID_TEXT }), Type.Null()], {
      examples: ['bob@example.test'],
    }),
  },
  { $id: 'User', additionalProperties: false },
);

export const UserPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref('User'), { maxItems: 100 }),
    next_cursor: Type.Union([Type.String(CURSOR), Type.Null()], { description: 'null on the last page' }),
  },
  { $id: 'UserPage' },
);

const UsersQuerySchema = Type.Object(
  {
    // Optional for the client; Ajv fills in the default, so the handler always has a value.
    limit: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 1,
        maximum: 100,
        default: 100,
        description: 'Page size.',
      }),
    ),
    cursor: Type.Optional(Type.String({ ...CURSOR, description: 'next_cursor of the previous page.' })),
  },
  { additionalProperties: false },
);

const cursorOf = (sub: string) => Buffer.from(sub, 'utf8').toString('base64url');
/**
 * The subject a cursor names. One this API did not write (not the canonical
 * base64url of UTF-8 text, or holding a NUL, which PostgreSQL's text cannot:
 * `AAAA` was a 500) is its sender's 400, before any query.
 */
function subOf(cursor: string): string {
  const bytes = Buffer.from(cursor, 'base64url');
  const sub = bytes.toString('utf8');
  const canonical = bytes.toString('base64url') === cursor && Buffer.from(sub, 'utf8').equals(bytes);
  if (!canonical || sub === '' || sub.includes('\u0000')) throw invalidCursor();
  return sub;
}

export const usersRoutes: FastifyPluginAsyncTypebox<{ directory: UserDirectory }> = async (
  app,
  { directory },
) => {
  app.get(
    '/users',
    {
      onRequest: app.authorize('user:list'),
      schema: {
        summary: 'The people the API has seen',
        operationId: 'listUsers',
        description:
          'Everyone who called the API with a role, with the name and e-mail address of their latest token, ' +
          'in `sub` order: to show task owners by name. Admins and viewers only (they see every task).',
        tags: ['users'],
        security: [{ oidc: [] }],
        querystring: UsersQuerySchema,
        response: {
          200: {
            description: 'One page',
            content: { 'application/json': { schema: Type.Ref('UserPage') } },
          },
          ...problemResponses(
            'INVALID_CURSOR',
            'VALIDATION_FAILED',
            'UNAUTHENTICATED',
            'FORBIDDEN',
            'DEPENDENCY_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      const { limit = 100, cursor } = request.query;
      const { items, last } = await directory.page(limit, cursor === undefined ? undefined : subOf(cursor));
      reply.header('cache-control', 'private, no-cache');
      return { items, next_cursor: last === undefined ? null : cursorOf(last) };
    },
  );
};
