/**
 * The signed-in person for every view: who they are, what their roles let
 * them do, and whether the session has ended (then a dialog asks them to
 * sign in again and brings them back to the same view).
 */
import type { User, UserManager } from 'oidc-client-ts';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { ApiSession } from './apiSession.ts';
import { type Capabilities, capabilitiesOf, type Role, rolesOf } from './roles.ts';
import { type AppConfig, accessClaimsOf, signIn, signOut } from './session.ts';

export interface Auth {
  sub: string;
  name: string;
  email: string | undefined;
  roles: Role[];
  can: Capabilities;
  /** The session ended (refused token, failed renewal): the person must sign in again. */
  expired: boolean;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  /** Calls `listener` after each token renewal; returns the way to stop. */
  onRenewed(listener: () => void): () => void;
  /** Runs `step` before signing out (while the token is still valid); returns the way to stop. */
  beforeSignOut(step: () => Promise<void>): () => void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

interface Props {
  manager: UserManager;
  config: AppConfig;
  initialUser: User;
  /** The API client's session (registered before the first render, see apiSession.ts). */
  session: ApiSession;
  children: ReactNode;
}

export function AuthProvider({ manager, config, initialUser, session, children }: Props) {
  const [user, setUser] = useState(initialUser);
  const [expired, setExpired] = useState(false);
  const signOutSteps = useRef(new Set<() => Promise<void>>());
  const beforeSignOut = useCallback((step: () => Promise<void>) => {
    signOutSteps.current.add(step);
    return () => void signOutSteps.current.delete(step);
  }, []);

  useEffect(() => {
    const loaded = (next: User) => {
      setUser(next);
      setExpired(false);
    };
    const ended = () => session.ended();
    manager.events.addUserLoaded(loaded);
    manager.events.addSilentRenewError(ended);
    manager.events.addAccessTokenExpired(ended);
    const stopFollowing = session.onEnded(() => setExpired(true));
    return () => {
      manager.events.removeUserLoaded(loaded);
      manager.events.removeSilentRenewError(ended);
      manager.events.removeAccessTokenExpired(ended);
      stopFollowing();
    };
  }, [manager, session]);

  const auth = useMemo<Auth>(() => {
    const roles = rolesOf(accessClaimsOf(user), config.rolesClaim);
    const profile = user.profile;
    return {
      sub: profile.sub,
      name: profile.preferred_username ?? profile.name ?? profile.email ?? profile.sub,
      email: profile.email,
      roles,
      can: capabilitiesOf(roles),
      expired,
      signIn: () => signIn(manager),
      async signOut() {
        await Promise.allSettled([...signOutSteps.current].map((step) => step()));
        await signOut(manager);
      },
      onRenewed: session.onRenewed,
      beforeSignOut,
    };
  }, [user, config.rolesClaim, expired, manager, session, beforeSignOut]);

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
