import type { User, UserManager } from 'oidc-client-ts';
import { describe, expect, it, vi } from 'vitest';
import { createApiSession } from '../../src/auth/apiSession.ts';

/** The manager's boundary: renewals the test finishes by hand, and the user-loaded event. */
function fakeManager() {
  const renewals: ((user: User | null) => void)[] = [];
  let onLoaded: ((user: User) => void) | undefined;
  const manager = {
    signinSilent: vi.fn(
      () =>
        new Promise<User | null>((resolve) => {
          renewals.push(resolve);
        }),
    ),
    events: {
      addUserLoaded: (listener: (user: User) => void) => {
        onLoaded = listener;
      },
    },
  };
  const finishRenewal = (user: User | null) => {
    if (user) onLoaded?.(user);
    renewals.shift()?.(user);
  };
  return { manager: manager as unknown as Pick<UserManager, 'signinSilent' | 'events'>, finishRenewal };
}

const userWith = (token: string) => ({ access_token: token }) as User;

describe('the API client’s session', () => {
  it('renews once for requests refused together: the refresh token is presented once', async () => {
    const { manager, finishRenewal } = fakeManager();
    const session = createApiSession(manager, userWith('first'));
    const both = Promise.all([session.renew(), session.renew()]);
    expect(manager.signinSilent).toHaveBeenCalledTimes(1);
    finishRenewal(userWith('second'));
    expect(await both).toEqual([true, true]);
    expect(session.accessToken()).toBe('second');
    // A later refusal renews again.
    const later = session.renew();
    expect(manager.signinSilent).toHaveBeenCalledTimes(2);
    finishRenewal(null);
    expect(await later).toBe(false);
  });

  it('has a token from the start, none once ended, and tells who listens', () => {
    const { manager } = fakeManager();
    const session = createApiSession(manager, userWith('first'));
    expect(session.accessToken()).toBe('first');
    const listener = vi.fn();
    const stop = session.onEnded(listener);
    session.ended();
    expect(session.accessToken()).toBeUndefined();
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
    session.ended();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a failed renewal answers false', async () => {
    const { manager } = fakeManager();
    vi.mocked(manager.signinSilent).mockRejectedValueOnce(new Error('invalid_grant'));
    const session = createApiSession(manager, userWith('first'));
    expect(await session.renew()).toBe(false);
  });
});
