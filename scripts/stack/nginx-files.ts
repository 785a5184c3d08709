/**
 * NGINX's configuration folder for one machine: deploy/nginx/nginx.conf, an
 * environment.conf naming the API instances on loopback and the public
 * HTTPS port, and a self-signed certificate made once (kept on re-runs, so
 * clients that trust it keep trusting it).
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

export function writeNginxConfig(dir: string, apiPorts: readonly number[], httpsPort: number): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(ROOT, 'deploy/nginx/nginx.conf'), path.join(dir, 'nginx.conf'));
  writeFileSync(
    path.join(dir, 'environment.conf'),
    [
      '# Written by npm run stack: the API instances on loopback.',
      'upstream tasks_api {',
      ...apiPorts.map((port) => `  server 127.0.0.1:${port} max_fails=2 fail_timeout=5s;`),
      '  keepalive 64;',
      '}',
      'map $host $tasks_https_port {',
      `  default ${httpsPort};`,
      '}',
      'ssl_certificate tls/tls.crt;',
      'ssl_certificate_key tls/tls.key;',
      '',
    ].join('\n'),
  );
  selfSignedCertificate(dir);
}
