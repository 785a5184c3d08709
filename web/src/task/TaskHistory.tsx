/**
 * A task's history, newest first: who did what and when, each changed
 * field before → after, older entries a page at a time ("Show older",
 * GET /tasks/{id}/history's cursor). People are named from the directory
 * where the app has it (admins, viewers), else "you" or "someone else".
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FieldChange, getTaskHistory, type HistoryEntry } from '../api/events.ts';
import { messageOf } from '../api/problem.ts';
import { queryKeys } from '../api/queryKeys.ts';
import { displayNameOf } from '../api/users.ts';
import { useAuth } from '../auth/AuthContext.tsx';
import { useOwnerName, usePeople } from '../components/People.tsx';
import { formatDateTime } from '../lib/dates.ts';
import { fieldLabelOf, isShownChange, valueText } from './historyText.ts';

const VERBS: Record<HistoryEntry['type'], string> = {
  'task.created': 'created the task',
  'task.updated': 'changed',
  'task.deleted': 'deleted the task',
};

/** The person who made a change, as the reader knows them. */
function useActorName(): (sub: string) => string {
  const auth = useAuth();
  const people = usePeople();
  return (sub) => {
    if (sub === auth.sub) return 'You';
    const person = people.find((candidate) => candidate.sub === sub);
    return person ? displayNameOf(person) : 'Someone else';
  };
}

function Change({ field, change, created }: { field: string; change: FieldChange; created: boolean }) {
  const ownerName = useOwnerName();
  const text = (value: unknown) => valueText(field, value, ownerName);
  return (
    <li>
      <span className="history-field">{fieldLabelOf(field)}</span>{' '}
      {created ? (
        <ins>{text(change.after)}</ins>
      ) : (
        <>
          <del>{text(change.before)}</del> <span aria-hidden="true">→</span>
          <span className="visually-hidden">changed to</span> <ins>{text(change.after)}</ins>
        </>
      )}
    </li>
  );
}

function Entry({ entry, actorName }: { entry: HistoryEntry; actorName: (sub: string) => string }) {
  const changes = Object.entries(entry.changes).filter(([field, change]) =>
    isShownChange(entry.type, field, change),
  );
  return (
    <li className="history-entry">
      <p className="history-head">
        <strong title={entry.actor_id}>{actorName(entry.actor_id)}</strong> {VERBS[entry.type]}
        <time dateTime={entry.occurred_at}>{formatDateTime(entry.occurred_at)}</time>
      </p>
      {changes.length > 0 && (
        <ul className="history-changes">
          {changes.map(([field, change]) => (
            <Change key={field} field={field} change={change} created={entry.type === 'task.created'} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function TaskHistory({ taskId }: { taskId: string }) {
  const actorName = useActorName();
  const query = useInfiniteQuery({
    queryKey: queryKeys.tasks.history(taskId),
    queryFn: ({ pageParam, signal }) => getTaskHistory(taskId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const entries = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {query.isPending && <p className="loading">Loading history…</p>}
      {query.isError && <p role="alert">{messageOf(query.error)}</p>}
      <ol className="history-entries">
        {entries.map((entry) => (
          <Entry key={entry.event_id} entry={entry} actorName={actorName} />
        ))}
      </ol>
      {query.hasNextPage && (
        <button
          type="button"
          className="button ghost"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </button>
      )}
    </section>
  );
}
