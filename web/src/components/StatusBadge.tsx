import { STATUS_LABELS, type Status } from '../api/types.ts';

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`status-badge status-${status}`}>{STATUS_LABELS[status]}</span>;
}
