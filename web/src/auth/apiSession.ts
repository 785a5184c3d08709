/**
 * The sign-in session as the API client (api/http.ts) sees it. It lives
 * outside React so that it is in place before the first view's requests go
 * out: React runs children's effects before their parents', so a session
 * registered in the provider's effect came after the list's first request,
 * which then went without a token. Renewals run one at a time: a refresh
 * token is single-use, and two renewals at once present the same one twice,
 * which the provider takes for theft (RFC 9700) and answers by ending the
 * whole session.
 */
import type { User, UserManager } from 'oidc-client-ts';
import type { Session } from '../api/http.ts';

export interface ApiSession extends Session {
  /** Calls `listener` when the session ends; returns the way to stop. */
  onEnded(listener: () => void): () => void;
  /** Calls `listener` after each renewal, once the new token is the one requests carry (the live stream's cookie). */
  onRenewed(listener: () => void): () => void;
}

type Manager = Pick<UserManager, 'signinSilent' | 'events'>;

export function createApiSession(manager: Manager, initialUser: User): ApiSession {
  let user = initialUser;
  let ended = false;
  let renewal: Promise<boolean> | undefined;
  const listeners = new Set<() => void>();
  const renewalListeners = new Set<() => void>();
  manager.events.addUserLoaded((next) => {
    user = next;
    ended = false;
    for (const listener of renewalListeners) listener();
  });
  return {
    accessToken: () => (ended ? undefined : user.access_token),
    renew() {
      renewal ??= manager
        .signinSilent()
        .then(
          (next) => next !== null,
          () => false,
        )
        .finally(() => {
          renewal = undefined;
        });
      return renewal;
    },
    ended() {
      ended = true;
      for (const listener of listeners) listener();
    },
    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onRenewed(listener) {
      renewalListeners.add(listener);
      return () => renewalListeners.delete(listener);
    },
  };
}
