/**
 * PostgreSQL WAL positions (`pg_lsn`, text `X/Y`) as bigints, so positions
 * compare exactly; and as fixed-width hex, so they compare as strings too.
 */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`not a pg_lsn: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** 16 hex digits: string order is numeric order (what a Redis script compares). */
export const lsnToHex = (lsn: Lsn) => lsn.toString(16).padStart(16, '0');
export const lsnFromHex = (hex: string): Lsn => BigInt(`0x${hex}`);
