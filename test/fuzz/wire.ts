/**
 * A plan on the wire: its Authorization (a real token for each role, each
 * kind of forged one), its path and query written byte by byte (broken
 * escapes left as they are), sent with node:http (fetch would refuse or
 * rewrite some of it), and the whole answer read (a stream's headers only).
 */
import http from 'node:http';
import type { OidcFixture } from '../support/oidc-fixture.ts';
import type { Caller, Plan } from './requests.ts';
import { type FORGED_TOKENS, ROLE_CALLERS } from './requests.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The client could not send it or the connection broke: never expected of the server. */
  failure?: string;
}

/** The Authorization header of every caller (none for 'none'); tokens outlive any run. */
export async function authorizationsOf(oidc: OidcFixture): Promise<Record<Caller, string | undefined>> {
  const lifetimeSeconds = 3_600;
  const valid = Object.fromEntries(
    await Promise.all(ROLE_CALLERS.map(async (user) => [user, await oidc.token(user, { lifetimeSeconds })])),
  ) as Record<(typeof ROLE_CALLERS)[number], string>;
  const bob = valid.bob;
  const [header = '', payload = '', signature = ''] = bob.split('.');
  const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
  const forged: Record<(typeof FORGED_TOKENS)[number], string> = {
    'padded-signature': `Bearer ${bob}==`,
    'tampered-signature': `Bearer ${header}.${payload}.${flipped}`,
    expired: `Bearer ${await oidc.token('bob', { lifetimeSeconds: -120 })}`,
    'wrong-audience': `Bearer ${await oidc.token('alice', { lifetimeSeconds, claims: { aud: 'another-api' } })}`,
    'wrong-issuer': `Bearer ${await oidc.token('alice', { lifetimeSeconds, claims: { iss: 'http://127.0.0.1:1/realms/evil' } })}`,
    'unpublished-key': `Bearer ${await oidc.token('alice', { lifetimeSeconds, unpublishedKey: true })}`,
    'alg-none': `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
    garbage: 'Bearer not.a.token',
    empty: 'Bearer ',
    'basic-scheme': `Basic ${Buffer.from('alice:alice').toString('base64')}`,
    'two-tokens': `Bearer ${bob} ${bob}`,
  };
  const bearer = Object.fromEntries(ROLE_CALLERS.map((user) => [user, `Bearer ${valid[user]}`]));
  return { ...bearer, ...forged, none: undefined } as Record<Caller, string | undefined>;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Percent-encodes every byte of the UTF-8 form but the unreserved ones (a lone surrogate becomes U+FFFD's bytes). */
export function encodeBytes(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Only what the HTTP request line can carry as written; anything else is encoded. */
const writable = (text: string) => /^[\x21-\x7e]*$/.test(text) && !/[#?&=]/.test(text);

export function pathOf(plan: Plan, id: string | undefined): string {
  const target = plan.target;
  // No task to aim at: an id no task has. An empty id would name another resource (/tasks/ is the
  // collection): a space stands for it.
  const named = id === '' ? ' ' : (id ?? '00000000-0000-4000-8000-000000000000');
  const segment = target.pool === 'raw' ? target.path : encodeBytes(named);
  const route = plan.ref.route.replace('{id}', segment);
  const query = plan.query
    .map(([name, value, asWritten]) =>
      asWritten && writable(name) && writable(value)
        ? `${name}=${value}`
        : `${encodeBytes(name)}=${encodeBytes(value)}`,
    )
    .join('&');
  return query ? `${route}?${query}` : route;
}

export function send(
  agent: http.Agent,
  baseUrl: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<Answer> {
  return new Promise((resolve) => {
    let outgoing: http.ClientRequest;
    try {
      // The path as written: a URL would resolve its dot segments (/tasks/%2e%2e is /) before sending.
      const { hostname, port } = new URL(baseUrl);
      outgoing = http.request({
        hostname,
        port,
        path: request.path,
        method: request.method,
        headers: request.headers,
        agent,
      });
    } catch (error) {
      resolve({
        status: 0,
        headers: {},
        body: Buffer.alloc(0),
        failure: `not sendable: ${(error as Error).message}`,
      });
      return;
    }
    const timer = setTimeout(() => outgoing.destroy(new Error('no answer within 15 s')), 15_000);
    outgoing.on('response', (response) => {
      const answer = (body: Buffer) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      };
      // A live stream never ends by itself: its status and headers are the answer.
      if (response.headers['content-type']?.startsWith('text/event-stream')) {
        response.destroy();
        answer(Buffer.alloc(0));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => answer(Buffer.concat(chunks)));
      response.on('error', (error) => answer(Buffer.from(`(body cut: ${error.message})`)));
    });
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), failure: error.message });
    });
    outgoing.end(request.body);
  });
}
