import { describe, expect, it } from 'vitest';
import { lsnFromHex, lsnToHex, parseLsn } from '../../src/infra/db/lsn.ts';

describe('WAL positions', () => {
  it('a pg_lsn text becomes its 64-bit position', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it('positions keep their order as fixed-width hex strings', () => {
    const lower = lsnToHex(parseLsn('0/FFFFFFFF'));
    const higher = lsnToHex(parseLsn('1/0'));
    expect(lower < higher).toBe(true);
    expect(lsnFromHex(higher)).toBe(1n << 32n);
  });

  it('text that is not a pg_lsn is refused', () => {
    expect(() => parseLsn('1/2/3')).toThrow();
    expect(() => parseLsn('')).toThrow();
  });
});
