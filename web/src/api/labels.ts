/** GET /labels: the labels the caller can see, with how many tasks carry each, for suggestions. */
import { useQuery } from '@tanstack/react-query';
import { request } from './http.ts';
import { queryKeys } from './queryKeys.ts';

export interface LabelCount {
  label: string;
  count: number;
}

export async function listLabels(signal?: AbortSignal): Promise<LabelCount[]> {
  const init: RequestInit = signal ? { signal } : {};
  return (await request<{ items: LabelCount[] }>('/labels', init)).body.items;
}

/** The labels to suggest, most used first; none while they load or when the server cannot list them. */
export function useLabelSuggestions(): string[] {
  const { data } = useQuery({
    queryKey: queryKeys.tasks.labels(),
    queryFn: ({ signal }) => listLabels(signal),
    staleTime: 60_000,
  });
  return (data ?? []).toSorted((a, b) => b.count - a.count).map((item) => item.label);
}
