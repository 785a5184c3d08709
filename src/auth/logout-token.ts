/**
 * Verifies OIDC Back-Channel Logout 1.0 logout tokens (section 2.6) with
 * `jose`, against the same JWKS as access tokens: signature and algorithm,
 * `iss`, `aud` (one of the clients users log in through), `iat` (not in the
 * future, not older than LOGOUT_TOKEN_MAX_AGE_SECONDS), `exp` when present,
 * the back-channel logout member of `events` (an object), `sid` or `sub`,
 * and no `nonce` (so an ID token can never pass as a logout token). The
 * header `typ` may be `logout+jwt` (what the spec recommends and
 * oidc-provider sends) or `JWT`/absent (what the spec tolerates and older
 * Keycloak versions send); any other type is refused.
 */
import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { ACCEPTED_ALGORITHMS, CLOCK_TOLERANCE_SECONDS, KeysUnavailable } from './token-verifier.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** oidc-provider's logout tokens live 120 s; a logout is delivered at once or never (no retries). */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 120;
const ACCEPTED_TYPES = new Set([undefined, 'jwt', 'logout+jwt', 'application/logout+jwt']);

/** What a valid logout token asks for: end session `sid`, or every session of `sub`. */
export interface LogoutRequest {
  sid: string | undefined;
  sub: string | undefined;
  /** `iat`, seconds since the epoch. */
  issuedAt: number;
  jti: string | undefined;
  audience: string[];
}

/** The logout token is not acceptable: a 400 for the identity provider. */
export class LogoutTokenRejected extends Error {
  constructor(readonly reason: string) {
    super(`logout token rejected: ${reason}`);
    this.name = 'LogoutTokenRejected';
  }
}

export interface LogoutTokenVerifierOptions {
  issuer: string;
  /** Client ids the provider addresses logout tokens to (any one suffices). */
  audiences: readonly string[];
  keys: JWTVerifyGetKey;
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `bad ${error.claim} claim`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown key';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return 'malformed';
}

export type LogoutTokenVerifier = (token: string) => Promise<LogoutRequest>;

export function createLogoutTokenVerifier(options: LogoutTokenVerifierOptions): LogoutTokenVerifier {
  return async (token) => {
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      verified = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: [...options.audiences],
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
        requiredClaims: ['iss', 'aud', 'iat'],
      });
    } catch (error) {
      if (error instanceof KeysUnavailable) throw error;
      throw new LogoutTokenRejected(reasonOf(error));
    }
    const { payload, protectedHeader } = verified;
    const type = protectedHeader.typ?.toLowerCase();
    if (!ACCEPTED_TYPES.has(type))
      throw new LogoutTokenRejected(`type ${protectedHeader.typ} is not logout+jwt`);
    const iat = payload.iat as number;
    if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS)
      throw new LogoutTokenRejected('issued in the future');
    const events = payload.events as Record<string, unknown> | undefined;
    const event =
      events !== null && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new LogoutTokenRejected('no back-channel logout event');
    }
    if ('nonce' in payload) throw new LogoutTokenRejected('a nonce is present');
    const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    if (!sid && !sub) throw new LogoutTokenRejected('neither sid nor sub');
    return {
      sid,
      sub,
      issuedAt: iat,
      jti: typeof payload.jti === 'string' ? payload.jti : undefined,
      audience: typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []),
    };
  };
}
