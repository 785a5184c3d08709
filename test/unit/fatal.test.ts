import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.ts';
import { describeFatal } from '../../src/fatal.ts';

describe('a fatal error is described in one line, whatever was thrown', () => {
  it('an Error by its message, with its cause', () => {
    expect(describeFatal(new Error('the database is gone', { cause: new Error('ECONNREFUSED') }))).toBe(
      'the database is gone: ECONNREFUSED',
    );
    expect(describeFatal(new ConfigError(['PORT: bad']))).toBe('Invalid configuration:\n  - PORT: bad');
  });

  it('a programming error by its kind and where it happened', () => {
    let thrown: unknown;
    try {
      (undefined as unknown as { stack: string }).stack;
    } catch (error) {
      thrown = error;
    }
    const line = describeFatal(thrown);
    expect(line).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'stack'\) \(at .*fatal\.test\.ts:\d+:\d+\)$/,
    );
  });

  it('anything else that was thrown, undefined included', () => {
    expect(describeFatal(undefined)).toBe('something that is not an Error was thrown: undefined');
    expect(describeFatal('disk full')).toBe("something that is not an Error was thrown: 'disk full'");
    expect(describeFatal({ code: 7 })).toBe('something that is not an Error was thrown: { code: 7 }');
  });
});
