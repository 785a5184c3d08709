/**
 * Which generation a client's read uses (docs/read-path.md). An entry under
 * generation g holds data at least as new as g's write position, so a read
 * that needs nothing newer than that position may use g's entries, and fill
 * them from any replica that has replayed it. A client that has written or
 * been shown nothing the replicas lack reads a recent generation the
 * replicas have, from a replica, whatever others write meanwhile; only a
 * client whose own position the replicas lack reads the current generation,
 * on the primary until they catch up.
 */
import type { Lsn } from '../db/lsn.ts';
import type { ClientMark, WriteMark } from './cache-store.ts';

export type ViewReason =
  /** The replicas have the newest write: the current generation, on a replica. */
  | 'caught_up'
  /** An earlier generation the replicas have, with everything this client wrote or saw. */
  | 'replica_view'
  /** This client needs what no replica within the lag bound has yet: the current generation. */
  | 'behind';

export interface ReadView {
  generation: number;
  /** The position a replica must have replayed to serve this view. */
  requiredLsn: Lsn;
  reason: ViewReason;
}

/** Generations this process has seen, by write position: enough to find one a replica has. */
const OBSERVED_MAX = 256;

export class ObservedGenerations {
  private readonly marks: { generation: number; writeLsn: Lsn }[] = [];

  observe(mark: WriteMark): void {
    if (mark.writeLsn === undefined) return;
    const last = this.marks.at(-1);
    if (last && mark.generation <= last.generation) return;
    this.marks.push({ generation: mark.generation, writeLsn: mark.writeLsn });
    if (this.marks.length > OBSERVED_MAX) this.marks.shift();
  }

  /** The newest generation seen whose write position lies between `from` and `upTo`. */
  newestBetween(from: Lsn, upTo: Lsn): { generation: number; writeLsn: Lsn } | undefined {
    for (let i = this.marks.length - 1; i >= 0; i -= 1) {
      const mark = this.marks[i] as { generation: number; writeLsn: Lsn };
      if (mark.writeLsn < from) return undefined;
      if (mark.writeLsn <= upTo) return mark;
    }
    return undefined;
  }
}

/**
 * The view for a read of `mark`'s client, given the newest position a replica
 * within the lag bound has replayed (undefined: none). The mark's write
 * position must be known (else only the primary may answer).
 */
export function viewFor(
  mark: ClientMark & { writeLsn: Lsn },
  replayed: Lsn | undefined,
  observed: ObservedGenerations,
): ReadView {
  const current = { generation: mark.generation, requiredLsn: mark.writeLsn };
  if (replayed === undefined) return { ...current, reason: 'behind' };
  if (replayed >= mark.writeLsn) return { ...current, reason: 'caught_up' };
  const needed = mark.clientLsn ?? 0n;
  const earlier = needed <= replayed ? observed.newestBetween(needed, replayed) : undefined;
  return earlier
    ? { generation: earlier.generation, requiredLsn: earlier.writeLsn, reason: 'replica_view' }
    : { ...current, reason: 'behind' };
}
