/** The in-memory view of the live revocations that every store keeps (see revocation-store.ts). */
import type { Principal } from '../principal.ts';

/** One logout: every token of session `sid`, or every token of `sub` issued at or before `issuedBefore`. */
export type Revocation =
  | { kind: 'sid'; value: string; expiresAt: number }
  | { kind: 'sub'; value: string; issuedBefore: number; expiresAt: number };
// expiresAt: epoch milliseconds; issuedBefore: epoch seconds (a token's `iat`).

/** The in-memory view every store keeps: O(1) per request, expired entries dropped as they are met. */
export class RevocationSet {
  private readonly sessions = new Map<string, number>();
  private readonly subjects = new Map<string, { issuedBefore: number; expiresAt: number }>();

  add(revocation: Revocation): void {
    if (revocation.expiresAt <= Date.now()) return;
    if (revocation.kind === 'sid') {
      const known = this.sessions.get(revocation.value) ?? 0;
      this.sessions.set(revocation.value, Math.max(known, revocation.expiresAt));
      return;
    }
    const known = this.subjects.get(revocation.value);
    this.subjects.set(revocation.value, {
      issuedBefore: Math.max(known?.issuedBefore ?? 0, revocation.issuedBefore),
      expiresAt: Math.max(known?.expiresAt ?? 0, revocation.expiresAt),
    });
  }

  matches(principal: Principal, now = Date.now()): boolean {
    if (this.sessions.size === 0 && this.subjects.size === 0) return false;
    if (principal.sessionId !== undefined) {
      const until = this.sessions.get(principal.sessionId);
      if (until !== undefined) {
        if (until > now) return true;
        this.sessions.delete(principal.sessionId);
      }
    }
    const subject = this.subjects.get(principal.subject);
    if (subject === undefined) return false;
    if (subject.expiresAt <= now) {
      this.subjects.delete(principal.subject);
      return false;
    }
    // A token without `iat` cannot show it was issued after the logout.
    return principal.issuedAt === undefined || principal.issuedAt <= subject.issuedBefore;
  }

  prune(now = Date.now()): void {
    for (const [sid, until] of this.sessions) if (until <= now) this.sessions.delete(sid);
    for (const [sub, entry] of this.subjects) if (entry.expiresAt <= now) this.subjects.delete(sub);
  }

  get size(): number {
    return this.sessions.size + this.subjects.size;
  }
}

/** Parses an entry read back from Redis or a message; anything else is ignored. */
export function revocationOf(value: unknown): Revocation | undefined {
  const entry = value as Partial<Record<string, unknown>> | null;
  if (!entry || typeof entry.value !== 'string' || typeof entry.expiresAt !== 'number') return undefined;
  if (entry.kind === 'sid') return { kind: 'sid', value: entry.value, expiresAt: entry.expiresAt };
  if (entry.kind === 'sub' && typeof entry.issuedBefore === 'number') {
    return {
      kind: 'sub',
      value: entry.value,
      issuedBefore: entry.issuedBefore,
      expiresAt: entry.expiresAt,
    };
  }
  return undefined;
}
