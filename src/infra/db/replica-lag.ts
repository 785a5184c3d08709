/**
 * How far a replica is behind the primary, from WAL positions: bytes are the
 * primary's current position minus what the replica has replayed; seconds
 * are how long the primary has had WAL the replica has not replayed (the
 * read router samples the primary's position at each poll and remembers when
 * each new position was first seen), as PostgreSQL's own `replay_lag` does.
 * An idle replica that has replayed everything is 0 s and 0 bytes behind,
 * however long ago the last transaction was (the "seconds since the last
 * replayed transaction" of pg_last_xact_replay_timestamp() grows there, and
 * would raise a lag alert on a healthy replica).
 */
import type { Lsn } from './lsn.ts';

export interface ReplicaLag {
  seconds: number;
  bytes: number;
}

interface Sample {
  lsn: Lsn;
  seenAtMs: number;
}

/** The primary's WAL positions seen lately, oldest first; at most `capacity` of them. */
export class PrimaryPositions {
  private readonly samples: Sample[] = [];

  constructor(private readonly capacity = 3_000) {}

  /** Records the primary's position read at `nowMs` (only a new position is kept). */
  observe(lsn: Lsn, nowMs: number): void {
    const last = this.samples.at(-1);
    if (last && lsn <= last.lsn) return;
    this.samples.push({ lsn, seenAtMs: nowMs });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  /** The lag of a replica that has replayed up to `replayedLsn`, at `nowMs`. */
  lagOf(replayedLsn: Lsn, nowMs: number): ReplicaLag | undefined {
    const latest = this.samples.at(-1);
    if (!latest) return undefined;
    if (replayedLsn >= latest.lsn) return { seconds: 0, bytes: 0 };
    // The first position past what the replica replayed: the primary has had unreplayed WAL
    // since then (at least; beyond the samples kept, since the oldest one).
    const firstAhead = this.samples.find((sample) => sample.lsn > replayedLsn) ?? latest;
    return {
      seconds: Math.max(0, (nowMs - firstAhead.seenAtMs) / 1000),
      bytes: Number(latest.lsn - replayedLsn),
    };
  }

  /** Forgets positions every replica has replayed (keeps the newest). */
  forgetUpTo(replayedLsn: Lsn): void {
    while (this.samples.length > 1 && (this.samples[1] as Sample).lsn <= replayedLsn) this.samples.shift();
  }
}
