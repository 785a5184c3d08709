/**
 * Keeps every view live while the person is signed in with a role: one
 * stream for the whole app, its events applied to the cache, a resync
 * reloading everything, a reconnection retrying what failed meanwhile, a
 * fresh cookie after each token renewal, the cookie removed before signing
 * out. Returns the stream's state for the indicator.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { reportReachable } from '../api/connectivity.ts';
import { deleteStreamCookie, putStreamCookie } from '../api/events.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { applyToCaches } from './liveCaches.ts';
import { createLiveStream, type LiveState, type LiveStream } from './liveStream.ts';
import type { Viewer } from './taskCache.ts';

const nothingToFollow = () => () => {};

export function useLiveTasks(): LiveState | undefined {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const viewer = useRef<Viewer>({ sub: auth.sub, seesEveryone: auth.can.seesEveryone });
  viewer.current = { sub: auth.sub, seesEveryone: auth.can.seesEveryone };
  const [stream, setStream] = useState<LiveStream>();
  const { hasRole } = auth.can;
  const { onRenewed, beforeSignOut } = auth;

  useEffect(() => {
    if (!hasRole) return;
    const live = createLiveStream({
      authorize: putStreamCookie,
      onEvent: (event) => applyToCaches(queryClient, event, viewer.current),
      onResync: () => void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all }),
      onReconnected: () => {
        reportReachable();
        void queryClient.refetchQueries({ predicate: (query) => query.state.status === 'error' });
      },
    });
    void live.open();
    setStream(live);
    const stopRenewals = onRenewed(() => void live.open());
    const stopSignOut = beforeSignOut(async () => {
      live.close();
      await deleteStreamCookie().catch(() => undefined);
    });
    return () => {
      stopRenewals();
      stopSignOut();
      live.close();
      setStream(undefined);
    };
  }, [hasRole, queryClient, onRenewed, beforeSignOut]);

  return useSyncExternalStore(stream?.subscribe ?? nothingToFollow, () => stream?.state());
}
