/**
 * The authorization code flow with PKCE as client `tasks-web` (the docs
 * page's), split where a test walks it: the authorize URL to open, then the
 * token request's form for the code the redirect brings back.
 */
import { createHash, randomBytes } from 'node:crypto';

export const WEB_CLIENT = 'tasks-web';

export function pkceAuthorization(authorizeEndpoint: string, redirectUri: string, scope: string) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(authorizeEndpoint);
  url.search = new URLSearchParams({
    client_id: WEB_CLIENT,
    response_type: 'code',
    scope,
    redirect_uri: redirectUri,
    state: 'state-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return {
    url: url.href,
    /** The form of the code exchange at the token endpoint. */
    tokenForm: (code: string) => ({
      grant_type: 'authorization_code',
      client_id: WEB_CLIENT,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  };
}
