/**
 * Log files (LOG_DIR): the same JSON lines as stdout, in files rotated at a
 * size (and daily), the oldest removed; secrets redacted there too.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { eventually } from '../support/test-database.ts';

describe('log files', () => {
  it('rotates at the size limit, keeps the configured number of files, and redacts tokens', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tasks-logs-'));
    const config = loadConfig({
      LOG_DIR: dir,
      LOG_FILE_MAX_SIZE: '1k',
      LOG_FILE_DAYS: '2',
      LOG_LEVEL: 'info',
    });
    const log = createLogger(config, 'tasks-test');
    for (let i = 0; i < 60; i += 1)
      log.info(
        { req: { headers: { authorization: 'Bearer secret-token' } }, line: i },
        'a line of forty characters or so',
      );
    const files = () => readdirSync(dir).filter((name) => name.startsWith('tasks-test'));
    await eventually(() => {
      const text = files()
        .map((name) => readFileSync(path.join(dir, name), 'utf8'))
        .join('');
      return text.includes('"line":59');
    }, 'the last line in a file');
    // 60 lines of ~200 bytes is ~12 KB: many rotations, of which the current file and 2 are kept.
    expect(files().length).toBeGreaterThanOrEqual(2);
    expect(files().length).toBeLessThanOrEqual(3);
    const text = files()
      .map((name) => readFileSync(path.join(dir, name), 'utf8'))
      .join('');
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.every((line) => line.name === 'tasks-test' && line.msg === 'a line of forty characters or so'),
    ).toBe(true);
    expect(text).not.toContain('secret-token');
    expect(text).toContain('[redacted]');
  });
});
