import { describe, expect, it } from 'vitest';
import { ObservedGenerations, viewFor } from '../../src/infra/cache/read-views.ts';

/** Generations 1-5 opened by writes at positions 100, 200, … 500. */
function observedUpTo(generation: number) {
  const observed = new ObservedGenerations();
  for (let g = 1; g <= generation; g += 1) observed.observe({ generation: g, writeLsn: BigInt(g * 100) });
  return observed;
}

const mark = (clientLsn: bigint | undefined) => ({ generation: 5, writeLsn: 500n, clientLsn });

describe('the view a client reads', () => {
  it('the current generation on a replica when the replicas have the newest write', () => {
    expect(viewFor(mark(500n), 500n, observedUpTo(5))).toEqual({
      generation: 5,
      requiredLsn: 500n,
      reason: 'caught_up',
    });
  });

  it('a client that wrote nothing reads the newest generation a replica has, while others write', () => {
    expect(viewFor(mark(undefined), 350n, observedUpTo(5))).toEqual({
      generation: 3,
      requiredLsn: 300n,
      reason: 'replica_view',
    });
  });

  it('a client whose own write the replicas have reads the replica view too', () => {
    expect(viewFor(mark(200n), 350n, observedUpTo(5))).toMatchObject({
      generation: 3,
      reason: 'replica_view',
    });
  });

  it('a client whose write or view the replicas lack reads the current generation', () => {
    expect(viewFor(mark(400n), 350n, observedUpTo(5))).toEqual({
      generation: 5,
      requiredLsn: 500n,
      reason: 'behind',
    });
  });

  it('no replica within the lag bound, or no generation seen that a replica has: the current one', () => {
    expect(viewFor(mark(undefined), undefined, observedUpTo(5)).reason).toBe('behind');
    // Seen only generations newer than the replica (a process just started).
    const fresh = new ObservedGenerations();
    fresh.observe({ generation: 5, writeLsn: 500n });
    expect(viewFor(mark(undefined), 350n, fresh).reason).toBe('behind');
  });

  it('a generation the replica has but older than the client’s position is never used', () => {
    // Seen: 1 (100) and 5 (500); the client's position is 300; the replica is at 350.
    const sparse = new ObservedGenerations();
    sparse.observe({ generation: 1, writeLsn: 100n });
    sparse.observe({ generation: 5, writeLsn: 500n });
    expect(viewFor(mark(300n), 350n, sparse).reason).toBe('behind');
  });

  it('remembers a bounded number of generations, in order', () => {
    const observed = new ObservedGenerations();
    for (let g = 1; g <= 1_000; g += 1) observed.observe({ generation: g, writeLsn: BigInt(g) });
    observed.observe({ generation: 10, writeLsn: 10n }); // an older mark read late is ignored
    expect(observed.newestBetween(0n, 999n)).toEqual({ generation: 999, writeLsn: 999n });
    expect(observed.newestBetween(0n, 10n)).toBeUndefined();
  });
});
