import type pg from 'pg';
import { type Lsn, lsnToHex, parseLsn } from '../db/lsn.ts';
import type { GenerationStore, WriteMark } from './cache-store.ts';

/** Generation kept in the primary database: shared by every worker process when there is no Redis. */
export class PostgresGenerationStore implements GenerationStore {
  constructor(private readonly primary: pg.Pool) {}

  async current(): Promise<WriteMark> {
    const { rows } = await this.primary.query<{ generation: number; write_lsn: string }>(
      'SELECT generation, write_lsn::text FROM cache_generation',
    );
    const row = rows[0];
    if (!row) throw new Error('cache_generation is empty: migrations not applied');
    return { generation: row.generation, writeLsn: parseLsn(row.write_lsn) };
  }

  async advance(writeLsn: Lsn): Promise<void> {
    const hex = lsnToHex(writeLsn);
    const position = `${hex.slice(0, 8)}/${hex.slice(8)}`;
    await this.primary.query(
      'UPDATE cache_generation SET generation = generation + 1, write_lsn = greatest(write_lsn, $1::pg_lsn)',
      [position],
    );
  }
}
