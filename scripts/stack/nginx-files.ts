/**
 * NGINX's configuration folder for one machine: deploy/nginx/nginx.conf, an
 * environment.conf naming the API instances on loopback and the public
 * HTTPS port, the addresses each server listens on (loopback unless told
 * otherwise: the stack's development identity provider gives anyone who
 * reaches it an admin token), and a self-signed certificate made once (kept
 * on re-runs, so clients that trust it keep trusting it).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `tls/tls.crt` and `tls/tls.key` under `dir` for localhost, unless they exist. */
export function selfSignedCertificate(dir: string, days = 825): void {
  const tls = path.join(dir, 'tls');
  if (existsSync(path.join(tls, 'tls.crt'))) return;
  mkdirSync(tls, { recursive: true });
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  const files = ['-keyout', path.join(tls, 'tls.key'), '-out', path.join(tls, 'tls.crt')];
  const key = ['-newkey', 'rsa:2048', '-nodes', '-days', String(days)];
  execFileSync('openssl', ['req', '-x509', ...key, ...subject, ...files], { stdio: 'pipe' });
}

export interface NginxPorts {
  apis: readonly number[];
  http: number;
  https: number;
  /** stub_status, always on loopback. */
  status: number;
}

/** Every address of the machine (IPv4 and IPv6) with `listenAll`, else loopback only. */
function listenLines(port: number, listenAll: boolean, suffix = ''): string {
  const addresses = listenAll ? [`${port}`, `[::]:${port}`] : [`127.0.0.1:${port}`, `[::1]:${port}`];
  return `${addresses.map((address) => `listen ${address}${suffix};`).join('\n')}\n`;
}

export function writeNginxConfig(
  dir: string,
  ports: NginxPorts,
  options: { listenAll?: boolean } = {},
): void {
  const listenAll = options.listenAll ?? false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'listen-http.conf'), listenLines(ports.http, listenAll));
  writeFileSync(path.join(dir, 'listen-https.conf'), listenLines(ports.https, listenAll, ' ssl http2'));
  writeFileSync(path.join(dir, 'listen-status.conf'), `listen 127.0.0.1:${ports.status};\n`);
  copyFileSync(path.join(ROOT, 'deploy/nginx/nginx.conf'), path.join(dir, 'nginx.conf'));
  writeFileSync(
    path.join(dir, 'environment.conf'),
    [
      '# Written by npm run stack: the API instances on loopback.',
      'upstream tasks_api {',
      ...ports.apis.map((port) => `  server 127.0.0.1:${port} max_fails=2 fail_timeout=5s;`),
      '  keepalive 64;',
      '}',
      'map $host $tasks_https_port {',
      `  default ${ports.https};`,
      '}',
      'ssl_certificate tls/tls.crt;',
      'ssl_certificate_key tls/tls.key;',
      '',
    ].join('\n'),
  );
  selfSignedCertificate(dir);
}
