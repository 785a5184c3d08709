/**
 * The live stream's sequencer: gives each committed outbox event its
 * stream position, in id order, one sequencer at a time (a transaction
 * advisory lock; the others find it taken), then announces the newest
 * position to every API instance. Positions are assigned only to committed
 * rows and never out of order, so "after position N" is an exact resume
 * point. An announcement that fails (Redis or the database down) is
 * repeated on the next turn: events are delayed, never skipped.
 */
import type { Database } from '../infra/db/database.ts';
import { PollingLoop } from '../infra/polling-loop.ts';
import type { StreamSignal } from '../infra/stream-signal/stream-signal.ts';

/** Arbitrary, fixed: the advisory lock every sequencer agrees on (the relay's is 727_016). */
const SEQUENCER_LOCK_KEY = 727_017;

export interface SequencerOptions {
  batchSize?: number;
  /** Pause when there was nothing to sequence: the floor of the stream's latency. */
  idleMs?: number;
  retryMs?: number;
  onError?: (error: unknown) => void;
}

export class StreamSequencer {
  private readonly loop: PollingLoop;
  private assigned = 0;
  private announced = 0;

  constructor(
    private readonly db: Pick<Database, 'transaction'>,
    private readonly signal: Pick<StreamSignal, 'announce'>,
    private readonly options: SequencerOptions = {},
  ) {
    this.loop = new PollingLoop(() => this.step(), { idleMs: options.idleMs ?? 20, ...options });
  }

  /** Positions one batch and announces it; returns how many events it positioned. */
  async step(): Promise<number> {
    const positioned = await this.sequenceBatch();
    if (this.assigned > this.announced) {
      const position = this.assigned;
      await this.signal.announce(position);
      this.announced = position;
    }
    return positioned;
  }

  async sequenceBatch(): Promise<number> {
    const { result } = await this.db.transaction(async (client) => {
      const { rows: lock } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS held',
        [SEQUENCER_LOCK_KEY],
      );
      if (!lock[0]?.held) return 0;
      // The rows are locked in id order (FOR UPDATE under the ORDER BY), as the outbox relay locks
      // them to mark them published: in any other order the two deadlock now and then (seen under
      // bench:stream: a failed batch, retried a second later, so a second's delay of the stream).
      const { rows } = await client.query<{ id: string; position: string }>(
        `WITH next AS (
           SELECT id, row_number() OVER (ORDER BY id) AS n FROM (
             SELECT id FROM outbox WHERE stream_position IS NULL ORDER BY id LIMIT $1 FOR UPDATE) pending
         ), reserved AS (
           SELECT nextval('outbox_stream_positions') AS position FROM next
         ), numbered AS (
           SELECT position, row_number() OVER (ORDER BY position) AS n FROM reserved
         )
         UPDATE outbox o SET stream_position = numbered.position
         FROM next JOIN numbered USING (n) WHERE o.id = next.id
         RETURNING o.id, o.stream_position AS position`,
        [this.options.batchSize ?? 500],
      );
      for (const row of rows) this.assigned = Math.max(this.assigned, Number(row.position));
      return rows.length;
    });
    return result;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
