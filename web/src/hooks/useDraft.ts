/**
 * Form text kept in the tab's session storage: a failed save, a reload, or
 * signing in again after the session ended never loses what was typed.
 */
import { useCallback, useState } from 'react';

const storageKey = (name: string) => `tasks-draft:${name}`;

export function useDraft<T>(
  name: string,
  initial: T,
): [T, (next: T | ((previous: T) => T)) => void, () => void] {
  const [value, setValue] = useState<T>(() => {
    const saved = window.sessionStorage.getItem(storageKey(name));
    return saved === null ? initial : (JSON.parse(saved) as T);
  });
  // An updater sees the latest value even when two changes arrive before a render.
  const update = useCallback(
    (next: T | ((previous: T) => T)) => {
      setValue((previous) => {
        const value = typeof next === 'function' ? (next as (previous: T) => T)(previous) : next;
        window.sessionStorage.setItem(storageKey(name), JSON.stringify(value));
        return value;
      });
    },
    [name],
  );
  const clear = useCallback(() => {
    window.sessionStorage.removeItem(storageKey(name));
    setValue(initial);
  }, [name, initial]);
  return [value, update, clear];
}
