/**
 * GET /tasks/stream: the changes the caller may see, as Server-Sent Events
 * (a user: their own tasks; admins and viewers: every task), resumable with
 * Last-Event-ID. PUT/DELETE /tasks/stream/cookie: a browser's `EventSource`
 * cannot send an Authorization header, and a token in the URL would land in
 * access logs, browser history and Referer headers; so the web app puts its
 * access token in an HttpOnly cookie that only this path receives
 * (docs/events.md).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { visibilityOf } from '../../auth/policy.ts';
import { validationFailed } from '../../errors/app-error.ts';
import { problemResponses } from '../../errors/problem.schema.ts';
import type { Queryable } from '../../infra/db/database.ts';
import { eventsAfter, streamBounds } from './stream.repository.ts';
import { StreamConnection } from './stream-connection.ts';
import type { StreamHub } from './stream-hub.ts';

export const STREAM_PATH = '/tasks/stream';
export const STREAM_COOKIE = 'tasks_stream';

export interface StreamRoutesOptions {
  hub: StreamHub;
  db: Queryable;
  heartbeatSeconds: number;
  maxQueuedBytes: number;
  /** Cookies only over HTTPS when the public URL is HTTPS. */
  secureCookie: boolean;
}

const AUTH_ERRORS = ['UNAUTHENTICATED', 'FORBIDDEN', 'DEPENDENCY_UNAVAILABLE'] as const;
const tags = ['tasks'];
const security = [{ oidc: [] }];

/** The stream's cookie stands in for the Authorization header on this path only. */
async function cookieAsBearer(request: FastifyRequest): Promise<void> {
  const token = request.cookies[STREAM_COOKIE];
  if (request.headers.authorization === undefined && token) request.headers.authorization = `Bearer ${token}`;
}

/** An event id: a sequence number, at most 15 digits (a JavaScript number holds it exactly). */
const EVENT_ID_DIGITS = 15;

/** `Last-Event-ID` (an EventSource's reconnection) or `last_event_id` (a new EventSource resuming). */
function resumePointOf(header: string | string[] | undefined, query: string | undefined): number | undefined {
  const value = header ?? query;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !new RegExp(`^\\d{1,${EVENT_ID_DIGITS}}$`).test(value)) {
    const parameter = header === undefined ? 'last_event_id' : 'Last-Event-ID';
    throw validationFailed([
      { parameter, message: `must be an event id of this stream (at most ${EVENT_ID_DIGITS} digits)` },
    ]);
  }
  return Number(value);
}

export const streamRoutes: FastifyPluginAsyncTypebox<StreamRoutesOptions> = async (app, options) => {
  const { hub, db } = options;

  app.get(
    STREAM_PATH,
    {
      onRequest: [cookieAsBearer, app.authorize('task:list')],
      schema: {
        summary: 'Follow task changes live',
        operationId: 'streamTaskEvents',
        description:
          'Server-Sent Events: one `task.created`, `task.updated` or `task.deleted` event (`TaskEvent`, its ' +
          'stream position as `id`) per change the caller may see. Resume with `Last-Event-ID` (or ' +
          '`last_event_id`): nothing is lost or repeated within the retention window; older than that, a ' +
          '`resync` event says to reload. Heartbeat comments keep proxies from timing out. Authenticates by ' +
          'Bearer token or by the `tasks_stream` cookie (PUT /tasks/stream/cookie); closed when the token ' +
          'expires or its session logs out.',
        tags,
        security,
        querystring: Type.Object(
          {
            last_event_id: Type.Optional(
              Type.String({ maxLength: EVENT_ID_DIGITS, pattern: '^[0-9]*$', examples: ['1042'] }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The event stream',
            content: { 'text/event-stream': { schema: Type.Ref('TaskEvent') } },
          },
          ...problemResponses('VALIDATION_FAILED', ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const resumeAfter = resumePointOf(request.headers['last-event-id'], request.query.last_event_id);
      const principal = request.principal;
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // NGINX: pass each event on at once instead of buffering the response.
        'x-accel-buffering': 'no',
        // A connection that carried a stream is not reused: it closes when the stream ends.
        connection: 'close',
        'x-request-id': request.id,
      });
      const seesAll = visibilityOf(principal).kind === 'all';
      const connection = new StreamConnection(reply.raw, principal, seesAll, {
        heartbeatMs: options.heartbeatSeconds * 1000,
        maxQueuedBytes: options.maxQueuedBytes,
        retryMs: 2_000,
        onClose: (closed, reason) => {
          hub.unsubscribe(closed);
          request.log.info({ reason }, 'event stream closed');
        },
      });
      const joinedAt = await hub.subscribe(connection);
      // The client may have gone while the hub got ready.
      if (connection.isClosed) return hub.unsubscribe(connection);
      if (resumeAfter === undefined) return connection.goLive(joinedAt);
      try {
        const { oldest } = await streamBounds(db);
        if (resumeAfter > joinedAt || (oldest !== null && oldest > resumeAfter + 1)) connection.resync();
        else {
          const audience = seesAll ? {} : { ownerId: principal.subject };
          for (let after = resumeAfter; after < joinedAt; ) {
            const events = await eventsAfter(db, after, { through: joinedAt, audience });
            for (const event of events) connection.replay(event);
            after = events.at(-1)?.position ?? joinedAt;
          }
        }
        connection.goLive(joinedAt);
      } catch (error) {
        request.log.warn({ err: error }, 'event stream: catch-up failed; the client will resume');
        connection.close('catch-up failed');
      }
    },
  );

  const cookieRoute = {
    tags,
    security,
    response: {
      204: { description: 'Done', type: 'null' },
      // No body is needed; one that is not well-formed JSON is refused like anywhere else.
      ...problemResponses('MALFORMED_REQUEST', ...AUTH_ERRORS),
    },
  } as const;

  app.put(
    `${STREAM_PATH}/cookie`,
    {
      onRequest: app.authorize('task:list'),
      schema: {
        ...cookieRoute,
        summary: 'Let this browser open the stream',
        operationId: 'putStreamCookie',
        description:
          'Puts the Bearer token of this request in an HttpOnly, SameSite=Strict cookie sent only to ' +
          '/tasks/stream, expiring with the token. Call again after each token refresh.',
      },
    },
    async (request, reply) => {
      const token = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      const maxAge = Math.max(0, request.principal.expiresAt - Math.floor(Date.now() / 1000));
      reply.setCookie(STREAM_COOKIE, token, {
        path: STREAM_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookie,
        maxAge,
      });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    `${STREAM_PATH}/cookie`,
    {
      onRequest: app.authorize('task:list'),
      schema: {
        ...cookieRoute,
        summary: "Forget this browser's stream cookie",
        operationId: 'deleteStreamCookie',
        description: 'Clears the stream cookie: what the web app calls before it logs out.',
      },
    },
    async (_request, reply) => {
      reply.clearCookie(STREAM_COOKIE, { path: STREAM_PATH });
      return reply.code(204).send(null);
    },
  );
};
