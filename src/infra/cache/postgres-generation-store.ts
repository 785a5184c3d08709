import type pg from 'pg';
import { type Lsn, lsnToHex, parseLsn } from '../db/lsn.ts';
import { CLIENT_POSITION_TTL_SECONDS, type ClientMark, type GenerationStore } from './cache-store.ts';

const pgLsn = (lsn: Lsn) => {
  const hex = lsnToHex(lsn);
  return `${hex.slice(0, 8)}/${hex.slice(8)}`;
};

/** Raises a client's position to $2 (a row older than the lifetime is replaced). */
const RAISE_CLIENT = `
  INSERT INTO cache_client_positions AS p (client, lsn) VALUES ($1, $2::pg_lsn)
  ON CONFLICT (client) DO UPDATE SET
    lsn = CASE WHEN p.updated_at < now() - make_interval(secs => $3) THEN excluded.lsn
               ELSE greatest(p.lsn, excluded.lsn) END,
    updated_at = now()`;

/** Generation and client positions kept in the primary database: shared by every process when there is no Redis. */
export class PostgresGenerationStore implements GenerationStore {
  constructor(private readonly primary: pg.Pool) {}

  async current(client: string): Promise<ClientMark> {
    const { rows } = await this.primary.query<{
      generation: number;
      write_lsn: string;
      client_lsn: string | null;
    }>(
      `SELECT g.generation, g.write_lsn::text, p.lsn::text AS client_lsn
         FROM cache_generation g
         LEFT JOIN cache_client_positions p
           ON p.client = $1 AND p.updated_at >= now() - make_interval(secs => $2)`,
      [client, CLIENT_POSITION_TTL_SECONDS],
    );
    const row = rows[0];
    if (!row) throw new Error('cache_generation is empty: migrations not applied');
    return {
      generation: row.generation,
      writeLsn: parseLsn(row.write_lsn),
      clientLsn: row.client_lsn === null ? undefined : parseLsn(row.client_lsn),
    };
  }

  /** One round trip: the generation and the writer's position in one statement. */
  async advance(writeLsn: Lsn, client?: string): Promise<void> {
    const openGeneration =
      'UPDATE cache_generation SET generation = generation + 1, write_lsn = greatest(write_lsn, $1::pg_lsn)';
    if (client === undefined) {
      await this.primary.query(openGeneration, [pgLsn(writeLsn)]);
      return;
    }
    await this.primary.query(`WITH generation AS (${openGeneration.replace('$1', '$2')}) ${RAISE_CLIENT}`, [
      client,
      pgLsn(writeLsn),
      CLIENT_POSITION_TTL_SECONDS,
    ]);
  }

  async recordSeen(client: string, lsn: Lsn): Promise<void> {
    await this.primary.query(RAISE_CLIENT, [client, pgLsn(lsn), CLIENT_POSITION_TTL_SECONDS]);
  }
}
