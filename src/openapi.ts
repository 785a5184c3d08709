/** The OpenAPI 3.1 document (generated from the route schemas) and the interactive docs page. */
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { KEYCLOAK_ROUTES } from './auth/keycloak-routes.ts';
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
        { name: 'users', description: 'The people the API has seen (task owners by name)' },
        { name: 'operations', description: 'Health and readiness' },
        { name: 'authentication', description: 'Called by the identity provider (back-channel logout)' },
      ],
      components: {
        securitySchemes: {
          // Not `openIdConnect`: from discovery, Swagger UI would also offer the implicit and password
          // flows, which client tasks-web is not allowed. Code + PKCE is the one browser flow.
          oidc: {
            type: 'oauth2',
            description:
              'Bearer access token from the identity provider: in a browser, client `tasks-web` with the ' +
              'authorization code flow and PKCE; from scripts, client `tasks-cli` with the password grant ' +
              `(discovery: ${issuer}/.well-known/openid-configuration). ` +
              'The access tokens are JWTs, verified as RFC8725 recommends: asymmetric algorithms only, ' +
              'issuer, audience, expiry and token type checked.',
            flows: {
              authorizationCode: {
                authorizationUrl: `${issuer}${KEYCLOAK_ROUTES.authorization}`,
                tokenUrl: `${issuer}${KEYCLOAK_ROUTES.token}`,
                refreshUrl: `${issuer}${KEYCLOAK_ROUTES.token}`,
                scopes: {
                  openid: 'Sign in (OpenID Connect)',
                  profile: 'Your user name',
                  email: 'Your e-mail address',
                },
              },
            },
          },
        },
      },
    },
    // Name components after the schemas' $id (Task, TaskPage, Problem), not def-0, def-1…
    transformObject: (generated) =>
      declareCommonResponses(
        withoutErrorMessages(
          'openapiObject' in generated ? generated.openapiObject : generated.swaggerObject,
        ),
      ),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  };
}

/**
 * The schemas' `errorMessage` (ajv-errors: the words of a 422) is the validator's, not the
 * contract's: the document states the rule itself (its pattern and description).
 * A copy: the generated document shares its schemas with the routes' validators.
 */
function withoutErrorMessages<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutErrorMessages) as T;
  if (!node || typeof node !== 'object') return node;
  const kept = Object.entries(node).filter(([key]) => key !== 'errorMessage');
  return Object.fromEntries(kept.map(([key, value]) => [key, withoutErrorMessages(value)])) as T;
}

const PRODUCT_NAME = 'Task Management System';
export const DOCS_PAGE_TITLE = `${PRODUCT_NAME}: API documentation`;
/**
 * Swagger UI asks for a client secret in every code flow, PKCE or not; tasks-web is a public
 * client and has none, so the field only invites a newcomer to look for one.
 */
const DOCS_PAGE_CSS = '.auth-container .wrapper:has(input[id^="client_secret_"]) { display: none; }\n';

/** Where the docs page's login ends (the redirect URI of client tasks-web). */
export const DOCS_OAUTH2_REDIRECT_PATH = '/docs/static/oauth2-redirect.html';

export function swaggerUiOptions(_config: Config): FastifySwaggerUiOptions {
  return {
    routePrefix: '/docs',
    // The login popup returns to `<page>/static/oauth2-redirect.html` (@fastify/swagger-ui sets
    // oauth2RedirectUrl itself, whatever uiConfig says): DOCS_OAUTH2_REDIRECT_PATH, registered for
    // tasks-web in the development provider and the realm export.
    // BaseLayout: without the standalone top bar (another project's logo and a box to load any URL).
    uiConfig: { persistAuthorization: false, layout: 'BaseLayout' },
    theme: { title: DOCS_PAGE_TITLE, css: [{ filename: 'docs.css', content: DOCS_PAGE_CSS }] },
    initOAuth: {
      clientId: 'tasks-web',
      usePkceWithAuthorizationCodeGrant: true,
      scopes: ['openid', 'profile', 'email'],
    },
  };
}
