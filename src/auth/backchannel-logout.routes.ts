/**
 * `POST /auth/backchannel-logout`: the OIDC Back-Channel Logout 1.0 receiver
 * (docs/api.md *Authentication*). The identity provider (Keycloak, or the
 * development provider on end-session) posts a signed logout token as a form;
 * once it verifies, the access tokens of that session (`sid`), or of that
 * user issued up to the logout (`sub` alone), are refused on every instance
 * until they would have expired anyway. A replayed token is harmless (the
 * same revocation again, bounded by the token's age), so it is accepted.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors/app-error.ts';
import { problemResponses } from '../errors/problem.schema.ts';
import type { Metrics } from '../observability/metrics.ts';
import { LogoutTokenRejected, type LogoutTokenVerifier } from './logout-token.ts';
import type { Revocation, RevocationStore } from './revocations/revocation-store.ts';
import { CLOCK_TOLERANCE_SECONDS, KeysUnavailable } from './token-verifier.ts';

const FORM = 'application/x-www-form-urlencoded';
const MAX_LOGOUT_TOKEN_CHARACTERS = 16 * 1024;
/** The form's one field, whole: its name, `=`, and the token (base64url and dots need no escape). */
const FORM_LIMIT_BYTES = 'logout_token='.length + MAX_LOGOUT_TOKEN_CHARACTERS;

export interface BackchannelLogoutRoutesOptions {
  verifyLogoutToken: LogoutTokenVerifier;
  store: RevocationStore;
  /** The provider's longest access-token lifetime: how long a logout must be remembered. */
  accessTokenLifetimeSeconds: number;
  metrics: Metrics;
}

const invalid = (reason: string) =>
  new AppError('INVALID_LOGOUT_TOKEN', `The logout token was rejected (${reason}).`);

export const backchannelLogoutRoutes: FastifyPluginAsyncTypebox<BackchannelLogoutRoutesOptions> = async (
  app,
  { verifyLogoutToken, store, accessTokenLifetimeSeconds, metrics },
) => {
  // The spec's form body and nothing else, for this route only (the rest of the API takes JSON).
  app.removeContentTypeParser(['application/json', 'application/merge-patch+json']);
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post(
    '/auth/backchannel-logout',
    {
      attachValidation: true,
      bodyLimit: FORM_LIMIT_BYTES,
      schema: {
        summary: 'Back-channel logout (for the identity provider)',
        description:
          'OIDC Back-Channel Logout 1.0 receiver. The identity provider posts a signed logout token; ' +
          'from then on the access tokens of that session (`sid`), or of that user (`sub` alone) issued up to the logout, are refused with 401 on every instance. ' +
          'Authenticated by the logout token itself (signature, issuer, audience), not by a bearer token.',
        operationId: 'backchannelLogout',
        tags: ['authentication'],
        security: [],
        consumes: [FORM],
        body: Type.Object(
          {
            logout_token: Type.String({
              // Three non-empty parts and their two dots.
              minLength: 5,
              maxLength: MAX_LOGOUT_TOKEN_CHARACTERS,
              pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
              examples: [
                'eyJhbGciOiJSUzI1NiIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tL3JlYWxtcy90YXNrcyJ9.c2lnbmVkLWJ5LXRoZS1wcm92aWRlcg',
              ],
              description: 'The logout token (a signed JWT).',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Null({ description: 'The session is logged out (empty body).' }),
          ...problemResponses(
            'INVALID_LOGOUT_TOKEN',
            'PAYLOAD_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
            'DEPENDENCY_UNAVAILABLE',
          ),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (request.validationError) {
        metrics.backchannelLogouts.labels('rejected').inc();
        throw invalid('the body has no well-formed logout_token');
      }
      let logout: Awaited<ReturnType<LogoutTokenVerifier>>;
      try {
        logout = await verifyLogoutToken(request.body.logout_token);
      } catch (error) {
        if (error instanceof LogoutTokenRejected) {
          metrics.backchannelLogouts.labels('rejected').inc();
          request.log.warn({ reason: error.reason }, 'logout token rejected');
          throw invalid(error.reason);
        }
        if (error instanceof KeysUnavailable) {
          metrics.backchannelLogouts.labels('unavailable').inc();
          throw new AppError(
            'DEPENDENCY_UNAVAILABLE',
            "The identity provider's keys cannot be fetched; retry the logout.",
            {
              headers: { 'retry-after': '5' },
              cause: error,
            },
          );
        }
        throw error;
      }
      // Tokens issued up to the logout expire at most one lifetime after it (plus the verifier's leeway).
      const expiresAt = (logout.issuedAt + accessTokenLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) * 1000;
      const revocation: Revocation = logout.sid
        ? { kind: 'sid', value: logout.sid, expiresAt }
        : { kind: 'sub', value: logout.sub ?? '', issuedBefore: logout.issuedAt, expiresAt };
      try {
        await store.revoke(revocation);
      } catch (error) {
        metrics.backchannelLogouts.labels('unavailable').inc();
        throw new AppError(
          'DEPENDENCY_UNAVAILABLE',
          'The logout could not be shared with every instance; retry it.',
          { headers: { 'retry-after': '1' }, cause: error },
        );
      }
      metrics.backchannelLogouts.labels(logout.sid ? 'session' : 'subject').inc();
      request.log.info(
        { sid: logout.sid, sub: logout.sid ? undefined : logout.sub, aud: logout.audience, jti: logout.jti },
        'back-channel logout: tokens of this session are refused from now on',
      );
      // The spec asks for 200 and nothing else: no body.
      return reply.code(200).send(undefined as never);
    },
  );
};
