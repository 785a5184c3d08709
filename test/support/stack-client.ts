/**
 * A client of the running stack (`npm run stack`) the way a user reaches it:
 * HTTPS through NGINX, trusting the stack's own certificate, tokens from the
 * development identity provider through the same door. Without the stack the
 * first call fails loudly, naming the command that starts it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { STACK_DIR, STACK_PORTS } from '../../scripts/stack/stack.ts';
import type { TestUser } from './oidc-fixture.ts';

export const STACK_URL = `https://localhost:${STACK_PORTS.https}`;
const CERTIFICATE = path.join(STACK_DIR, 'nginx/tls/tls.crt');

let agent: Agent | undefined;
function tlsAgent(): Agent {
  if (!existsSync(CERTIFICATE))
    throw new Error(`The stack is not running (no ${CERTIFICATE}): start it with npm run stack`);
  agent ??= new Agent({ connect: { ca: readFileSync(CERTIFICATE) } });
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

const tokens = new Map<TestUser, string>();

/** A request as `user` (tokens fetched once per user), or anonymous when `user` is undefined. */
export async function asUser(
  user: TestUser | undefined,
  method: string,
  requestPath: string,
  init: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (user) {
    if (!tokens.has(user)) tokens.set(user, (await passwordGrant(user)).access_token);
    headers.authorization = `Bearer ${tokens.get(user)}`;
  }
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  return stackFetch(requestPath, {
    method,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}
