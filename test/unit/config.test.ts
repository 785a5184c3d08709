import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('configuration', () => {
  it('an empty environment gives the embedded defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.database.url).toBeUndefined();
    expect(config.oidc.issuer).toBeUndefined();
    expect(config.oidc.audience).toBe('tasks-api');
    expect(config.oidc.rolesClaim).toBe('realm_access.roles');
    expect(config.publicUrl).toBe('http://localhost:8000');
  });

  it('values are converted to their types', () => {
    const config = loadConfig({ PORT: '9000', WEB_CONCURRENCY: '3', MIGRATE_ON_START: 'false' });
    expect(config.port).toBe(9000);
    expect(config.webConcurrency).toBe(3);
    expect(config.database.migrateOnStart).toBe(false);
  });

  it('every bad variable is reported at once, by name', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'nope',
      WEB_CONCURRENCY: '0',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'WEB_CONCURRENCY',
    ]);
  });

  it('a bad configuration is a ConfigError whose message names the variable', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '-1' })).toThrowError(ConfigError);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '-1' })).toThrowError(/DATABASE_POOL_SIZE/);
  });

  it('a secret may come from the file named by <NAME>_FILE', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-test-'));
    const file = path.join(dir, 'database-url');
    writeFileSync(file, 'postgres://app:secret@db:5432/tasks\n');
    expect(loadConfig({ DATABASE_URL_FILE: file }).database.url).toBe('postgres://app:secret@db:5432/tasks');
  });

  it('a secret set both directly and by file is refused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-test-'));
    const file = path.join(dir, 'database-url');
    writeFileSync(file, 'postgres://app:secret@db:5432/tasks');
    expect(problemsOf({ DATABASE_URL: 'postgres://other/tasks', DATABASE_URL_FILE: file })[0]).toMatch(
      /DATABASE_URL/,
    );
  });

  it('trailing slashes of URLs are dropped, so issuers compare exactly', () => {
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example/realms/tasks/' }).oidc.issuer).toBe(
      'https://id.example/realms/tasks',
    );
  });
});
