/**
 * Revocations shared through PostgreSQL (no Redis configured): a row per
 * logout in `session_revocations` (migration 008), polled by every process.
 * A poll reads the rows with an id above the highest seen, plus those created
 * in the last few seconds: identity values are taken at insert but become
 * visible at commit, so a row may appear after one with a higher id. Every
 * statement stands alone (works through PgBouncer in transaction mode).
 */
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Principal } from '../principal.ts';
import { type Revocation, RevocationSet } from './revocation-set.ts';
import type { RevocationStore } from './revocation-store.ts';

/** A revocation reaches every process within this (plus one query): "within a second". */
export const POLL_EVERY_MS = 500;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH_ROWS = 1000;

interface Row {
  id: number;
  kind: 'sid' | 'sub';
  value: string;
  issued_before: number | null;
  expires_at: number;
}

const SELECT_NEW = `
  SELECT id, kind, value,
         extract(epoch FROM issued_before)::float8 AS issued_before,
         (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at
  FROM session_revocations
  WHERE expires_at > now() AND (id > $1 OR created_at > now() - interval '5 seconds')`;

export class PostgresRevocationStore implements RevocationStore {
  private readonly live = new RevocationSet();
  private lastId = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private nextSweep = Date.now() + SWEEP_EVERY_MS;
  private failing = false;

  constructor(
    private readonly primary: pg.Pool,
    private readonly log: FastifyBaseLogger,
  ) {}

  isRevoked(principal: Principal): boolean {
    return this.live.matches(principal);
  }

  async revoke(revocation: Revocation): Promise<void> {
    this.live.add(revocation);
    await this.primary.query(
      `INSERT INTO session_revocations (kind, value, issued_before, expires_at)
       VALUES ($1, $2, to_timestamp($3::float8), to_timestamp($4::float8 / 1000))`,
      [
        revocation.kind,
        revocation.value,
        revocation.kind === 'sub' ? revocation.issuedBefore : null,
        revocation.expiresAt,
      ],
    );
  }

  async start(): Promise<void> {
    await this.poll();
    const tick = () => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
      });
    };
    this.timer = setInterval(() => {
      if (!this.polling) tick();
    }, POLL_EVERY_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  private async poll(): Promise<void> {
    try {
      const { rows } = await this.primary.query<Row>(SELECT_NEW, [this.lastId]);
      for (const row of rows) {
        this.lastId = Math.max(this.lastId, Number(row.id));
        this.live.add(
          row.kind === 'sid'
            ? { kind: 'sid', value: row.value, expiresAt: row.expires_at }
            : {
                kind: 'sub',
                value: row.value,
                issuedBefore: row.issued_before ?? 0,
                expiresAt: row.expires_at,
              },
        );
      }
      if (Date.now() >= this.nextSweep) {
        this.nextSweep = Date.now() + SWEEP_EVERY_MS;
        this.live.prune();
        await this.primary.query(
          `DELETE FROM session_revocations WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM session_revocations WHERE expires_at < now() LIMIT ${SWEEP_BATCH_ROWS}))`,
        );
      }
      if (this.failing) this.log.info('session revocations: reading them from the database again');
      this.failing = false;
    } catch (err) {
      // Known revocations stay in force; the next poll catches up (rows are kept until they expire).
      if (!this.failing) this.log.warn({ err }, 'session revocations: cannot read them from the database');
      this.failing = true;
    }
  }
}
