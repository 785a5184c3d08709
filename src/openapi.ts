/** The OpenAPI 3.1 document (generated from the route schemas) and the interactive docs page. */
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { Config } from './config/config.ts';
import { declareCommonResponses } from './openapi-responses.ts';

export function openApiDocument(config: Config, issuer: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Task Management API',
        version: '1.0.0',
        description:
          'Tasks with OIDC roles: `admin` (everything), `user` (own tasks), `viewer` (read-only). ' +
          'Errors are RFC 9457 problem details.',
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'Task API maintainers', url: `${config.publicUrl}/docs` },
      },
      servers: [{ url: config.publicUrl, 'x-internal': false } as { url: string }],
      tags: [
        { name: 'tasks', description: 'The task resource' },
        { name: 'operations', description: 'Health and readiness' },
        { name: 'authentication', description: 'Called by the identity provider (back-channel logout)' },
      ],
      components: {
        securitySchemes: {
          oidc: {
            type: 'openIdConnect',
            openIdConnectUrl: `${issuer}/.well-known/openid-configuration`,
            description:
              'Bearer access token from the identity provider (client `tasks-web` or `tasks-cli`).',
          },
        },
      },
    },
    // Name components after the schemas' $id (Task, TaskPage, Problem), not def-0, def-1…
    transformObject: (generated) =>
      declareCommonResponses(
        'openapiObject' in generated ? generated.openapiObject : generated.swaggerObject,
      ),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}

/** Where the docs page's login ends (the redirect URI of client tasks-web). */
export const DOCS_OAUTH2_REDIRECT_PATH = '/docs/static/oauth2-redirect.html';

export function swaggerUiOptions(_config: Config): FastifySwaggerUiOptions {
  return {
    routePrefix: '/docs',
    // The login popup returns to `<page>/static/oauth2-redirect.html` (@fastify/swagger-ui sets
    // oauth2RedirectUrl itself, whatever uiConfig says): DOCS_OAUTH2_REDIRECT_PATH, registered for
    // tasks-web in the development provider and the realm export.
    uiConfig: { persistAuthorization: false },
    initOAuth: {
      clientId: 'tasks-web',
      usePkceWithAuthorizationCodeGrant: true,
      scopes: ['openid', 'profile', 'email'],
    },
  };
}
