import { describe, expect, it } from 'vitest';
import { parseSeedArgs, UsageError } from '../../src/cli/seed-args.ts';
import { SEED_DEFAULTS, seedOwnerIds } from '../../src/modules/tasks/tasks.seed.ts';

describe('npm run seed arguments', () => {
  it('defaults every option', () => {
    expect(parseSeedArgs([])).toEqual({
      count: SEED_DEFAULTS.count,
      owners: SEED_DEFAULTS.owners,
      batchSize: SEED_DEFAULTS.batchSize,
      concurrency: SEED_DEFAULTS.concurrency,
      help: false,
    });
  });

  it('reads each option, in either form, with digit separators', () => {
    expect(parseSeedArgs(['--count', '1_000_000', '--owners=50', '--batch', '250000', '-j', '1'])).toEqual({
      count: 1_000_000,
      owners: 50,
      batchSize: 250_000,
      concurrency: 1,
      help: false,
    });
    expect(parseSeedArgs(['-n', '5', '--help'])).toMatchObject({ count: 5, help: true });
  });

  it.each([
    ['count', '0'],
    ['count', '-5'],
    ['count', '1.5'],
    ['count', '1e6'],
    ['count', 'many'],
    ['count', ''],
    ['count', '100000001'],
    ['batch', '0'],
    ['jobs', '17'],
    ['owners', 'x'],
  ])('rejects --%s=%j with a message naming the option', (option, value) => {
    const run = () => parseSeedArgs([`--${option}=${value}`]);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(`--${option} must be a whole number`);
  });

  it('rejects unknown options, positionals and a missing value', () => {
    expect(() => parseSeedArgs(['--cout', '5'])).toThrow(UsageError);
    expect(() => parseSeedArgs(['1000'])).toThrow(UsageError);
    expect(() => parseSeedArgs(['--count'])).toThrow(UsageError);
  });
});

describe('seed owners', () => {
  it('puts the extra owners first, once each, then numbered ones up to the total', () => {
    const ids = seedOwnerIds(5, ['bob-sub', 'alice-sub', 'bob-sub']);
    expect(ids).toEqual(['bob-sub', 'alice-sub', 'seed-user-0001', 'seed-user-0002', 'seed-user-0003']);
  });

  it('keeps every extra owner even when they exceed the total', () => {
    expect(seedOwnerIds(1, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('numbers wide enough for the total, so the ids sort in number order', () => {
    const ids = seedOwnerIds(12_000);
    expect(ids).toHaveLength(12_000);
    expect(ids[0]).toBe('seed-user-00001');
    expect(ids.at(-1)).toBe('seed-user-12000');
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
