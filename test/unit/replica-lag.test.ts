/**
 * Replica lag from WAL positions (src/infra/db/replica-lag.ts): an idle,
 * caught-up replica is not behind however long ago the last write was; a
 * replica applying WAL 3 s late is 3 s behind while the primary writes.
 */
import { describe, expect, it } from 'vitest';
import { PrimaryPositions } from '../../src/infra/db/replica-lag.ts';

const MINUTE = 60_000;

describe('replica lag from WAL positions', () => {
  it('an idle replica that replayed everything is 0 s and 0 bytes behind, ten minutes after the last write', () => {
    const positions = new PrimaryPositions();
    positions.observe(1_000n, 0);
    // The primary's position does not move: nothing written since.
    for (let at = 200; at <= 10 * MINUTE; at += 200) positions.observe(1_000n, at);
    expect(positions.lagOf(1_000n, 10 * MINUTE)).toEqual({ seconds: 0, bytes: 0 });
  });

  it('a replica applying WAL 3 s late is 3 s and the unreplayed bytes behind while the primary writes', () => {
    const positions = new PrimaryPositions();
    const positionAt = (ms: number) => BigInt(ms) * 10n; // 10 bytes of WAL per millisecond
    for (let at = 0; at <= MINUTE; at += 200) positions.observe(positionAt(at), at);
    const replayed = positionAt(MINUTE - 3_000);
    const lag = positions.lagOf(replayed, MINUTE);
    expect(lag?.seconds).toBeCloseTo(2.8, 5); // the first position past it was seen 2.8 s ago (200 ms samples)
    expect(lag?.bytes).toBe(Number(positionAt(MINUTE) - replayed));
  });

  it('the first write after a quiet hour counts from that write, not from the previous one', () => {
    const positions = new PrimaryPositions();
    positions.observe(1_000n, 0);
    positions.observe(1_500n, 60 * MINUTE);
    expect(positions.lagOf(1_000n, 60 * MINUTE + 500)).toEqual({ seconds: 0.5, bytes: 500 });
    expect(positions.lagOf(1_500n, 60 * MINUTE + 600)).toEqual({ seconds: 0, bytes: 0 });
  });

  it('has no answer before the primary was read once', () => {
    expect(new PrimaryPositions().lagOf(1n, 0)).toBeUndefined();
  });

  it('keeps at most its capacity: a replica stuck longer than that is behind at least the oldest kept', () => {
    const positions = new PrimaryPositions(10);
    for (let i = 1; i <= 100; i += 1) positions.observe(BigInt(i), i * 1_000);
    expect(positions.lagOf(0n, 100_000)).toEqual({ seconds: 9, bytes: 100 });
  });

  it('forgets positions every replica replayed and still measures the rest', () => {
    const positions = new PrimaryPositions();
    for (let i = 1; i <= 5; i += 1) positions.observe(BigInt(i * 100), i * 1_000);
    positions.forgetUpTo(300n);
    expect(positions.lagOf(300n, 6_000)).toEqual({ seconds: 2, bytes: 200 });
    positions.forgetUpTo(500n);
    expect(positions.lagOf(500n, 60_000)).toEqual({ seconds: 0, bytes: 0 });
  });
});
