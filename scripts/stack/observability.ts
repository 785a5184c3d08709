/**
 * What watches the stack, from Debian's packages: a Prometheus exporter for
 * each server (postgres-exporter for the primary and the replica,
 * pgbouncer-exporter for each pooler, redis-exporter, nginx-exporter on
 * NGINX's loopback stub_status, blackbox-exporter for NGINX's certificate;
 * RabbitMQ exports itself through its rabbitmq_prometheus plugin), Prometheus scraping them all, and
 * Alertmanager routing what the rules raise. Every one listens on loopback.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { answersHttp, type Service } from './node-services.ts';
import { PORTS as DB_PORTS } from './postgres-topology.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export const OBSERVABILITY_PORTS = {
  postgresExporters: { primary: 9187, replica: 9188 },
  pgbouncerExporters: { primary: 9127, replica: 9128 },
  redisExporter: 9121,
  nginxExporter: 9113,
  /** NGINX's stub_status, on loopback only, for nginx-exporter. */
  nginxStatus: 8082,
  rabbitmqPrometheus: 15692,
  blackboxExporter: 9115,
  alertmanager: 9093,
} as const;

type Role = 'primary' | 'replica';

function exporter(name: string, port: number, command: string, args: string[], env?: Record<string, string>) {
  return {
    name,
    command,
    args,
    env,
    ready: () => answersHttp(`http://127.0.0.1:${port}/metrics`),
  } satisfies Service;
}

/** Our queries beside the exporter's defaults: WAL positions, replay_lag, slot retention. */
export function postgresExporter(role: Role): Service {
  const port = OBSERVABILITY_PORTS.postgresExporters[role];
  return exporter(
    `postgres-exporter-${role}`,
    port,
    'prometheus-postgres-exporter',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--extend.query-path=${path.join(ROOT, 'deploy/exporters/postgres-queries.yml')}`,
      '--disable-settings-metrics',
    ],
    { DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${DB_PORTS[role]}/postgres?sslmode=disable` },
  );
}

export function pgbouncerExporter(role: Role): Service {
  const port = OBSERVABILITY_PORTS.pgbouncerExporters[role];
  const pooler = role === 'primary' ? DB_PORTS.primaryPooler : DB_PORTS.replicaPooler;
  // Debian's exporter, adapted to PgBouncer's current SHOW STATS columns (see the file).
  return exporter(`pgbouncer-exporter-${role}`, port, '/usr/bin/python3', [
    path.join(ROOT, 'deploy/exporters/pgbouncer_exporter.py'),
    ...['--host', '127.0.0.1', '--port', String(port)],
    ...['--pgbouncer-host', '127.0.0.1', '--pgbouncer-port', String(pooler), '--pgbouncer-user', 'postgres'],
  ]);
}

export function redisExporter(redisPort: number): Service {
  const port = OBSERVABILITY_PORTS.redisExporter;
  return exporter('redis-exporter', port, 'prometheus-redis-exporter', [
    `-redis.addr=redis://127.0.0.1:${redisPort}`,
    `-web.listen-address=127.0.0.1:${port}`,
  ]);
}

export function nginxExporter(): Service {
  const port = OBSERVABILITY_PORTS.nginxExporter;
  return exporter('nginx-exporter', port, 'prometheus-nginx-exporter', [
    `-nginx.scrape-uri=http://127.0.0.1:${OBSERVABILITY_PORTS.nginxStatus}/stub_status`,
    `-web.listen-address=127.0.0.1:${port}`,
  ]);
}

/** TLS probes (the certificate's expiry), configured by deploy/exporters/blackbox.yml. */
export function blackboxExporter(): Service {
  const port = OBSERVABILITY_PORTS.blackboxExporter;
  return {
    name: 'blackbox-exporter',
    command: 'prometheus-blackbox-exporter',
    args: [
      `--config.file=${path.join(ROOT, 'deploy/exporters/blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    ready: () => answersHttp(`http://127.0.0.1:${port}/-/healthy`),
  };
}

export function alertmanagerService(stackDir: string): Service {
  const dir = path.join(stackDir, 'alertmanager');
  mkdirSync(dir, { recursive: true });
  const port = OBSERVABILITY_PORTS.alertmanager;
  return {
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${path.join(ROOT, 'deploy/alertmanager/alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // One Alertmanager: no gossip port opened to the network.
      '--cluster.listen-address=',
    ],
    ready: () => answersHttp(`http://127.0.0.1:${port}/-/ready`),
  };
}

/** deploy/prometheus/stack.yml with the rule files' absolute path. */
export function prometheusService(stackDir: string, port: number): Service {
  const dir = path.join(stackDir, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const config = readFileSync(path.join(ROOT, 'deploy/prometheus/stack.yml'), 'utf8').replace(
    'rules/*.yml',
    path.join(ROOT, 'deploy/prometheus/rules/*.yml'),
  );
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  return {
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    ready: () => answersHttp(`http://127.0.0.1:${port}/-/ready`),
  };
}

/** Everything above, by name, in start order (exporters after what they watch). */
export function observabilityServices(stackDir: string, ports: { redis: number; prometheus: number }) {
  return {
    'postgres-exporter-primary': () => postgresExporter('primary'),
    'postgres-exporter-replica': () => postgresExporter('replica'),
    'pgbouncer-exporter-primary': () => pgbouncerExporter('primary'),
    'pgbouncer-exporter-replica': () => pgbouncerExporter('replica'),
    'redis-exporter': () => redisExporter(ports.redis),
    'nginx-exporter': nginxExporter,
    'blackbox-exporter': blackboxExporter,
    alertmanager: () => alertmanagerService(stackDir),
    prometheus: () => prometheusService(stackDir, ports.prometheus),
  } as const;
}
