/**
 * A client of the running stack (`npm run stack`) the way a user reaches it:
 * HTTPS through NGINX, trusting the stack's own certificate, tokens from the
 * development identity provider through the same door. Without the stack the
 * first call fails loudly, naming the command that starts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { STACK_DIR, STACK_PORTS } from '../../scripts/stack/stack-layout.ts';
import type { TestUser } from './oidc-fixture.ts';

export const STACK_URL = `https://localhost:${STACK_PORTS.https}`;
const CERTIFICATE = path.join(STACK_DIR, 'nginx/tls/tls.crt');

/** The stack's own certificate, to trust in its clients. */
export function stackCertificate(): Buffer {
  if (!existsSync(CERTIFICATE))
    throw new Error(`The stack is not running (no ${CERTIFICATE}): start it with npm run stack`);
  return readFileSync(CERTIFICATE);
}

let agent: Agent | undefined;
function tlsAgent(): Agent {
  agent ??= new Agent({ connect: { ca: stackCertificate() } });
  return agent;
}

export function stackFetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${STACK_URL}${pathOrUrl}`;
  return fetch(url, { ...init, dispatcher: tlsAgent() }).catch((error: unknown) => {
    throw new Error(`${url}: ${(error as Error).message} (is the stack running? npm run stack)`, {
      cause: error,
    });
  });
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export async function passwordGrant(user: TestUser): Promise<TokenSet> {
  const response = await stackFetch('/realms/tasks/protocol/openid-connect/token', {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'tasks-cli',
      username: user,
      password: user,
    }),
  });
  if (response.status !== 200)
    throw new Error(`token for ${user}: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenSet;
}

/** Seconds before its expiry at which a cached access token is replaced (a request in flight must not carry an expiring one). */
const RENEW_MARGIN_SECONDS = 30;
const tokens = new Map<TestUser, { accessToken: string; renewAt: number }>();

/**
 * The user's access token, fetched once and again when it nears its expiry:
 * a test file that runs longer than a token lives (the fault tests, 300 s
 * tokens) keeps sending valid ones, as a real client would.
 */
export async function accessTokenFor(user: TestUser): Promise<string> {
  const cached = tokens.get(user);
  if (cached && Date.now() < cached.renewAt) return cached.accessToken;
  const granted = await passwordGrant(user);
  const renewAt = Date.now() + (granted.expires_in - RENEW_MARGIN_SECONDS) * 1000;
  tokens.set(user, { accessToken: granted.access_token, renewAt });
  return granted.access_token;
}

/** A request as `user` (a token per user, renewed before it expires), or anonymous when `user` is undefined. */
export async function asUser(
  user: TestUser | undefined,
  method: string,
  requestPath: string,
  init: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (user) {
    headers.authorization = `Bearer ${await accessTokenFor(user)}`;
  }
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  return stackFetch(requestPath, {
    method,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}
