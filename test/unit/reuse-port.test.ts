/** Which Node.js releases and platforms listen with reusePort (src/start/listen-on-port.ts). */
import { describe, expect, it } from 'vitest';
import { reusePortAvailable } from '../../src/start/listen-on-port.ts';

describe('reusePortAvailable', () => {
  it.each([
    ['22.12.0', 'linux', true],
    ['22.23.3', 'linux', true],
    ['23.1.0', 'linux', true],
    ['24.22.3', 'freebsd', true],
    ['22.11.0', 'linux', false],
    ['23.0.0', 'linux', false],
    ['20.20.2', 'linux', false],
    ['24.22.3', 'win32', false],
    ['24.22.3', 'darwin', false],
  ] as const)('Node.js %s on %s: %s', (version, platform, expected) => {
    expect(reusePortAvailable(version, platform)).toBe(expected);
  });
});
