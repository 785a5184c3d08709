/**
 * Whether the API answers: a small external store the banner subscribes to.
 * Calls report here (a 503 or no answer: down; a 429: waiting to send again;
 * any other answer: up), so the banner appears and goes without any view
 * knowing about it.
 */
export type Connectivity =
  | { state: 'up' }
  | { state: 'offline' }
  | { state: 'unavailable'; retryAfterSeconds: number | undefined }
  | { state: 'throttled'; retryAfterSeconds: number };

let current: Connectivity = { state: 'up' };
const listeners = new Set<() => void>();

export function reportConnectivity(next: Connectivity): void {
  if (next.state === current.state && next.state === 'up') return;
  current = next;
  for (const listener of listeners) listener();
}

/**
 * The server answered something other than a call (the live stream opened
 * again): it is reachable, though that says nothing of its database, so only
 * an `offline` state ends here.
 */
export function reportReachable(): void {
  if (current.state === 'offline') reportConnectivity({ state: 'up' });
}

export const connectivityStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get: (): Connectivity => current,
};
