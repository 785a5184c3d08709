/**
 * The directory of the people the API has seen (migration 020): `sub`, a
 * name to show and an e-mail address, taken from their verified access
 * tokens. Kept cheaply: each process remembers what it last recorded per
 * subject, so a request costs a map lookup and a write happens only when a
 * token says something new (a first sight, a changed address). The write
 * does not hold up the request: the directory serves later readers (the
 * notification of a task created for someone else, the web app's owner
 * names), and a failed write is retried by that subject's next request.
 */
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../auth/principal.ts';
import type { Queryable } from '../../infra/db/database.ts';

export interface DirectoryEntry {
  sub: string;
  name: string | null;
  email: string | null;
}

/** Subjects whose last recorded claims a process remembers (beyond them: one no-op upsert each). */
const REMEMBERED_SUBJECTS = 10_000;

// A token without a name or address says nothing about them: what is known stays.
const UPSERT = `
  INSERT INTO users (sub, name, email) VALUES ($1, $2, $3)
  ON CONFLICT (sub) DO UPDATE
    SET name = COALESCE(excluded.name, users.name), email = COALESCE(excluded.email, users.email),
        updated_at = now()
    WHERE users.name IS DISTINCT FROM COALESCE(excluded.name, users.name)
       OR users.email IS DISTINCT FROM COALESCE(excluded.email, users.email)`;

export function entryOf(principal: Principal): DirectoryEntry {
  return {
    sub: principal.subject,
    name: principal.name ?? principal.username ?? null,
    email: principal.email ?? null,
  };
}

/** The name the directory knows for `sub`, or null. */
export async function nameOf(db: Queryable, sub: string): Promise<string | null> {
  const { rows } = await db.query<{ name: string | null }>('SELECT name FROM users WHERE sub = $1', [sub]);
  return rows[0]?.name ?? null;
}

/** The address the directory knows for `sub`, or null. */
export async function addressOf(db: Queryable, sub: string): Promise<string | null> {
  const { rows } = await db.query<{ email: string | null }>('SELECT email FROM users WHERE sub = $1', [sub]);
  return rows[0]?.email ?? null;
}

export class UserDirectory {
  private readonly recorded = new LRUCache<string, string>({ max: REMEMBERED_SUBJECTS });

  constructor(
    private readonly primary: Queryable,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Records what the principal's token says about them, unless this process already did. */
  remember(principal: Principal): void {
    const entry = entryOf(principal);
    const claims = JSON.stringify([entry.name, entry.email]);
    if (this.recorded.get(entry.sub) === claims) return;
    this.recorded.set(entry.sub, claims);
    this.primary.query(UPSERT, [entry.sub, entry.name, entry.email]).catch((err: unknown) => {
      this.recorded.delete(entry.sub);
      this.log.warn(
        { err, sub: entry.sub },
        'user directory: recording a user failed; retried on their next request',
      );
    });
  }

  /** One page in `sub` order, after the `sub` the previous page ended with. */
  async page(limit: number, after: string | undefined): Promise<{ items: DirectoryEntry[]; last?: string }> {
    const { rows } = await this.primary.query<DirectoryEntry>(
      'SELECT sub, name, email FROM users WHERE $1::text IS NULL OR sub > $1 ORDER BY sub LIMIT $2',
      [after ?? null, limit + 1],
    );
    const items = rows.slice(0, limit);
    return rows.length > limit ? { items, last: items.at(-1)?.sub } : { items };
  }
}
