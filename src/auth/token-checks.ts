/**
 * What every token check uses: the provider's public keys (discovered, or
 * the development provider's own), the store of logged-out sessions, and the
 * access-token verifier that refuses their tokens.
 */
import type { FastifyBaseLogger } from 'fastify';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type pg from 'pg';
import type { Config } from '../config/config.ts';
import { createRevocationStore, refusingRevoked } from './revocations/revocation-store.ts';
import { createTokenVerifier, discoveredKeys } from './token-verifier.ts';

/** The provider's public keys, for access tokens and logout tokens alike. */
export async function providerKeysFor(config: Config): Promise<JWTVerifyGetKey> {
  if (config.oidc.issuer) return discoveredKeys(config.oidc.issuer, config.oidc.jwksUrl);
  // The development provider runs in this process: its public keys are read directly.
  const { loadOrCreateSigningKeys } = await import('./dev-idp/signing-keys.ts');
  const { publicJwks } = await loadOrCreateSigningKeys(config.dataDir);
  return createLocalJWKSet(publicJwks);
}

/** The revocation store, started, and the verifier every token check (the rate limiter's too) uses. */
export async function createTokenChecks(
  config: Config,
  { issuer, keys }: { issuer: string; keys: JWTVerifyGetKey },
  primary: pg.Pool,
  log: FastifyBaseLogger,
) {
  const revocations = createRevocationStore(config, primary, log);
  await revocations.start();
  // Every token check, the rate limiter's included, refuses the tokens of logged-out sessions.
  const verifier = refusingRevoked(
    createTokenVerifier({ issuer, audience: config.oidc.audience, rolesClaim: config.oidc.rolesClaim, keys }),
    revocations,
  );
  return { revocations, verifier };
}
