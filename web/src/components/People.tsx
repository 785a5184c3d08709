/** Owners by name where the directory knows them, else by id (all a task carries). */
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../api/queryKeys.ts';
import { displayNameOf, listPeople, type Person } from '../api/users.ts';
import { useAuth } from '../auth/AuthContext.tsx';

export function usePeople(): Person[] {
  const auth = useAuth();
  const { data } = useQuery({
    queryKey: queryKeys.users,
    queryFn: listPeople,
    enabled: auth.can.seesEveryone,
    staleTime: 5 * 60_000,
  });
  return data ?? [];
}

export function useOwnerName(): (sub: string) => string {
  const auth = useAuth();
  const people = usePeople();
  return (sub) =>
    sub === auth.sub
      ? `${auth.name} (you)`
      : (displayName(people.find((person) => person.sub === sub)) ?? sub);
}

const displayName = (person: Person | undefined) => (person ? displayNameOf(person) : undefined);

export function OwnerName({ sub }: { sub: string }) {
  return <>{useOwnerName()(sub)}</>;
}
