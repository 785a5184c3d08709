/** A small sign of whether others' changes arrive as they happen. */
import type { LiveState } from '../live/liveStream.ts';

const TEXT: Record<LiveState, { label: string; title: string }> = {
  live: { label: 'Live', title: 'Changes made by others appear here as they happen.' },
  connecting: { label: 'Connecting…', title: 'Connecting to live updates.' },
  reconnecting: {
    label: 'Reconnecting…',
    title: 'Live updates were interrupted; changes made meanwhile will appear once reconnected.',
  },
};

export function LiveIndicator({ state }: { state: LiveState | undefined }) {
  if (!state) return null;
  const { label, title } = TEXT[state];
  return (
    <span className={`live-indicator live-${state}`} role="status" title={title}>
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
