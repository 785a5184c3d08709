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
    expect(config.cacheTtlSeconds).toBe(300);
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
    expect(() => loadConfig({ CACHE_TTL_SECONDS: '-1' })).toThrowError(ConfigError);
    expect(() => loadConfig({ CACHE_TTL_SECONDS: '-1' })).toThrowError(/CACHE_TTL_SECONDS/);
  });

  it('a secret may come from the file named by <NAME>_FILE', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-test-'));
    const file = path.join(dir, 'database-url');
    writeFileSync(file, 'postgres://app:secret@db:5432/tasks\n');
    expect(loadConfig({ DATABASE_URL_FILE: file }).database.url).toBe('postgres://app:secret@db:5432/tasks');
  });

  it('a secret set both directly and by file is refused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-test-'));
    const file = path.join(dir, 'redis-url');
    writeFileSync(file, 'redis://cache:6379');
    expect(problemsOf({ REDIS_URL: 'redis://other:6379', REDIS_URL_FILE: file })[0]).toMatch(/REDIS_URL/);
  });

  it('replica URLs are a comma-separated list', () => {
    const config = loadConfig({ DATABASE_REPLICA_URL: 'postgres://r1/tasks, postgres://r2/tasks' });
    expect(config.database.replicaUrls).toEqual(['postgres://r1/tasks', 'postgres://r2/tasks']);
  });

  it('trailing slashes of URLs are dropped, so issuers compare exactly', () => {
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example/realms/tasks/' }).oidc.issuer).toBe(
      'https://id.example/realms/tasks',
    );
  });
});
