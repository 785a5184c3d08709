/**
 * Verifies OIDC access tokens (Keycloak-shaped JWTs) with `jose`: signature
 * against the issuer's JWKS (found through discovery, cached, refetched on an
 * unknown `kid`), algorithm, `iss`, `aud`/`azp`, `exp`, `nbf` and `typ`.
 */
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { type Principal, type Role, Roles } from './principal.ts';

/** Asymmetric algorithms only: an HS256 token "signed" with a public key is refused. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'PS256', 'ES256'];
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Distinct valid tokens remembered per process (a client reuses its token for minutes). */
const VERIFIED_TOKENS_MAX = 10_000;

export const REJECTION_REASONS = [
  'malformed',
  'bad_signature',
  'unknown_key',
  'bad_algorithm',
  'expired',
  'not_yet_valid',
  'wrong_issuer',
  'wrong_audience',
  'wrong_type',
  'missing_subject',
  /** A back-channel logout ended its session (or its subject's sessions). */
  'revoked',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The token is not acceptable: a 401 for the client. */
export class TokenRejected extends Error {
  constructor(readonly reason: RejectionReason) {
    super(`access token rejected: ${reason.replaceAll('_', ' ')}`);
    this.name = 'TokenRejected';
  }
}

/** The keys could not be obtained: the identity provider is unreachable (a 503, not the client's fault). */
export class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super("the identity provider's keys cannot be fetched", { cause });
    this.name = 'KeysUnavailable';
  }
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Dotted path of the roles array in the payload, e.g. `realm_access.roles`. */
  rolesClaim: string;
  /** Key source; default: the `jwks_uri` of the issuer's discovery document (or `jwksUrl`). */
  keys?: JWTVerifyGetKey;
  /** Fetch keys here rather than at the discovered `jwks_uri` (in-cluster address). */
  jwksUrl?: string | undefined;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

async function discoverJwksUri(issuer: string): Promise<URL> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const document = (await response.json()) as { jwks_uri?: string; issuer?: string };
  if (document.issuer !== issuer) throw new Error(`discovery names issuer ${document.issuer}, not ${issuer}`);
  if (!document.jwks_uri) throw new Error('discovery document has no jwks_uri');
  return new URL(document.jwks_uri);
}

/** Keys from discovery, resolved on first use (the provider may start after the API) and retried on failure. */
export function discoveredKeys(issuer: string, jwksUrl: string | undefined): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const resolveKeySet = () => {
    keySet ??= (jwksUrl ? Promise.resolve(new URL(jwksUrl)) : discoverJwksUri(issuer)).then((url) =>
      createRemoteJWKSet(url, {
        // A token with an unknown kid refetches the set, at most once per cooldown: a key the
        // provider starts signing with just after a fetch is refused until the cooldown ends,
        // so it is short; tokens with made-up kids still cost the provider one fetch per 5 s.
        cooldownDuration: 5_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 5_000,
      }),
    );
    keySet.catch(() => {
      keySet = undefined;
    });
    return keySet;
  };
  return async (header, token) => {
    try {
      return await (await resolveKeySet())(header, token);
    } catch (error) {
      // A key that is not in a fetched set is the token's fault; anything else is the provider's.
      if (
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys
      ) {
        throw error;
      }
      throw new KeysUnavailable(error);
    }
  };
}

/**
 * The JWS compact serialization exactly (RFC 7515, section 7.1): three parts
 * of unpadded base64url, each the canonical encoding of its bytes. Decoders
 * are lenient (padding, `+` and `/`, the unused low bits of the last
 * character), so without this check many different strings verify as one
 * token: a token is valid only as it was issued.
 */
function isCompactSerialization(token: string): boolean {
  const parts = token.split('.');
  return (
    parts.length === 3 &&
    parts.every(
      (part) =>
        /^[A-Za-z0-9_-]*$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part,
    )
  );
}

function readPath(payload: JWTPayload, dottedPath: string): unknown {
  let value: unknown = payload;
  for (const part of dottedPath.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function rolesOf(payload: JWTPayload, rolesClaim: string): Set<Role> {
  const claimed = readPath(payload, rolesClaim);
  const known = new Set<Role>();
  if (Array.isArray(claimed)) {
    for (const role of Roles) if (claimed.includes(role)) known.add(role);
  }
  return known;
}

function reasonOf(error: unknown): RejectionReason {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    if (error.claim === 'iss') return 'wrong_issuer';
    return 'malformed';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return 'bad_algorithm';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown_key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed';
}

/**
 * A token that verified once is the same token until it expires: remembering
 * the result saves an RSA verification (the dominant cost of a cached read)
 * on every later request. Only successes are kept, each until its `exp`;
 * what may end a token earlier (logout) is checked per request after this
 * (revocations/revocation-store.ts).
 */
function rememberingVerified(verify: (token: string) => Promise<Principal>): TokenVerifier {
  const verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS_MAX });
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && (known.expiresAt + CLOCK_TOLERANCE_SECONDS) * 1000 > Date.now()) return known;
      const principal = await verify(token);
      verified.set(token, principal);
      return principal;
    },
  };
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = options.keys ?? discoveredKeys(options.issuer, options.jwksUrl);
  return rememberingVerified(async (token) => {
    if (!isCompactSerialization(token)) throw new TokenRejected('malformed');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof KeysUnavailable) throw error;
      throw new TokenRejected(reasonOf(error));
    }
    const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (!audiences.includes(options.audience) && payload.azp !== options.audience) {
      throw new TokenRejected('wrong_audience');
    }
    if (payload.typ !== undefined && payload.typ !== 'Bearer') throw new TokenRejected('wrong_type');
    // A logout token (or any security event token) is never an access token, whatever its audience.
    if (payload.events !== undefined) throw new TokenRejected('wrong_type');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenRejected('missing_subject');
    return {
      subject: payload.sub,
      roles: rolesOf(payload, options.rolesClaim),
      username: typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
      issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
      expiresAt: payload.exp as number,
    };
  });
}
