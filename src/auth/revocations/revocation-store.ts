/**
 * Sessions and subjects the identity provider logged out, and the check that
 * refuses their access tokens. The check runs on every authenticated request,
 * so it never leaves the process: each process keeps the live revocations in
 * memory (a few entries per logout in the last token lifetime) and a shared
 * store propagates them to every process of every instance:
 *
 * - Redis (REDIS_URL): a sorted set holds the live entries (score = expiry),
 *   pub/sub announces each new one (milliseconds to every instance), and the
 *   set is re-read on every (re)connection and every few seconds, so a
 *   process that missed a message (restart, network cut) still learns it.
 * - PostgreSQL otherwise: a table, polled every 500 ms for rows added since
 *   the last poll (one indexed query per process per poll), so a revocation
 *   reaches every process within a second. (LISTEN/NOTIFY would be faster,
 *   but PgBouncer in transaction mode cannot carry LISTEN.)
 *
 * A Redis round trip per request would make every request depend on Redis
 * and cost ~0.2 ms; the verifier already remembers verified tokens precisely
 * to keep a request free of such costs.
 */
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Config } from '../../config/config.ts';
import type { Principal } from '../principal.ts';
import { TokenRejected, type TokenVerifier } from '../token-verifier.ts';
import { PostgresRevocationStore } from './postgres-revocation-store.ts';
import { RedisRevocationStore } from './redis-revocation-store.ts';
import type { Revocation } from './revocation-set.ts';

export type { Revocation } from './revocation-set.ts';

export interface RevocationStore {
  /** Records a logout for every instance; resolves once it is stored where the others read it. */
  revoke(revocation: Revocation): Promise<void>;
  /** Whether the principal's token belongs to a logged-out session or subject (in memory, no I/O). */
  isRevoked(principal: Principal): boolean;
  /** Loads the live revocations and starts following new ones. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set (shared with every instance), else the primary database. */
export function createRevocationStore(
  config: Config,
  primary: pg.Pool,
  log: FastifyBaseLogger,
): RevocationStore {
  if (config.redisUrl) return new RedisRevocationStore(config.redisUrl, config.redisKeyPrefix, log);
  return new PostgresRevocationStore(primary, log);
}

/** The verifier, refusing tokens of logged-out sessions (after its cache: the check is per request). */
export function refusingRevoked(verifier: TokenVerifier, store: RevocationStore): TokenVerifier {
  return {
    async verify(token) {
      const principal = await verifier.verify(token);
      if (store.isRevoked(principal)) throw new TokenRejected('revoked');
      return principal;
    },
  };
}
