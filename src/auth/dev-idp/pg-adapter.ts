/**
 * oidc-provider's storage on PostgreSQL (`oidc_payloads`, migration 002), so
 * that every API worker process sees the same sessions, grants and refresh
 * tokens. One statement per call, unnamed: works through PgBouncer in
 * transaction mode.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type pg from 'pg';

/** Expired rows are never returned; about one upsert in this many also deletes a batch of them. */
const SWEEP_EVERY_UPSERTS = 100;
const SWEEP_BATCH_ROWS = 1000;

type Queryable = Pick<pg.Pool, 'query'>;

const SELECT_LIVE = `
  SELECT payload, floor(extract(epoch FROM consumed_at))::float8 AS consumed
  FROM oidc_payloads
  WHERE model = $1 AND %COLUMN% = $2 AND (expires_at IS NULL OR expires_at > now())
  LIMIT 1`;

interface Row {
  payload: AdapterPayload;
  consumed: number | null;
}

export class PgAdapter implements Adapter {
  constructor(
    private readonly db: Queryable,
    readonly model: string,
    private readonly onSweepError: (error: unknown) => void = () => {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.db.query(
      `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6,
               CASE WHEN $7::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $7::float8) END)
       ON CONFLICT (model, id) DO UPDATE SET
         payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
         uid = excluded.uid, expires_at = excluded.expires_at`,
      [
        this.model,
        id,
        payload,
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresIn ?? null,
      ],
    );
    if (Math.random() * SWEEP_EVERY_UPSERTS < 1) this.sweepExpired().catch(this.onSweepError);
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db.query(
      'UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
      [this.model, id],
    );
  }

  async destroy(id: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_payloads WHERE model = $1 AND grant_id = $2', [
      this.model,
      grantId,
    ]);
  }

  private async findBy(
    column: 'id' | 'uid' | 'user_code',
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const { rows } = await this.db.query<Row>(SELECT_LIVE.replace('%COLUMN%', column), [this.model, value]);
    const row = rows[0];
    if (!row) return undefined;
    return row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed };
  }

  /** Batched, so one sweep after a long idle period never holds many row locks at once. */
  private async sweepExpired(): Promise<void> {
    await this.db.query(
      `DELETE FROM oidc_payloads WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM oidc_payloads WHERE expires_at < now() LIMIT ${SWEEP_BATCH_ROWS}))`,
    );
  }
}

/** The `adapter` option of the provider: one adapter per model, all on one pool. */
export function pgAdapterFactory(db: Queryable, onSweepError?: (error: unknown) => void): AdapterFactory {
  return (model) => new PgAdapter(db, model, onSweepError);
}
