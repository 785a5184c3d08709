/**
 * What the logout tests ask of a running API: whether it still serves a
 * token (GET /tasks), and how long until it refuses one after a logout.
 */
import type { RunningApi } from './api-harness.ts';

/** The status GET /tasks answers `api` with `token`. */
export async function statusOf(api: RunningApi, token: string): Promise<number> {
  const response = await fetch(`${api.baseUrl}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

/** Milliseconds from `since` until `api` refuses `token` (fails after 3 s). */
export async function refusedAfter(api: RunningApi, token: string, since: number): Promise<number> {
  for (;;) {
    if ((await statusOf(api, token)) === 401) return Date.now() - since;
    if (Date.now() - since > 3_000) throw new Error('token still accepted 3 s after the logout');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Posts a logout token to `api` as an identity provider does (OIDC Back-Channel Logout: a form). */
export function postLogout(api: RunningApi, logoutToken: string): Promise<Response> {
  return fetch(`${api.baseUrl}/auth/backchannel-logout`, {
    method: 'POST',
    body: new URLSearchParams({ logout_token: logoutToken }),
  });
}
