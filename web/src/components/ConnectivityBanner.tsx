/** Shown while the API does not answer (offline, 503) or asks to wait (429); what the person typed stays where it is. */
import { useSyncExternalStore } from 'react';
import { type Connectivity, connectivityStore } from '../api/connectivity.ts';

function textOf(connectivity: Exclude<Connectivity, { state: 'up' }>): string {
  switch (connectivity.state) {
    case 'offline':
      return 'You are offline. Your changes are kept on this page; try again when the connection is back.';
    case 'unavailable': {
      const retry = connectivity.retryAfterSeconds ? ` (retry in ${connectivity.retryAfterSeconds} s)` : '';
      return `Tasks is temporarily unavailable${retry}. Nothing you typed is lost.`;
    }
    case 'throttled':
      return `Too many requests at once: sending again in ${connectivity.retryAfterSeconds} s. Nothing you typed is lost.`;
  }
}

export function ConnectivityBanner() {
  const connectivity = useSyncExternalStore(connectivityStore.subscribe, connectivityStore.get);
  if (connectivity.state === 'up') return null;
  return (
    <div className="banner warning" role="status">
      {textOf(connectivity)}
    </div>
  );
}
