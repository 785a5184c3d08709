/**
 * Single-key shortcuts, as in Linear and Todoist: ignored while typing in a
 * field, and never with Ctrl/Alt/Meta so the browser's own keys still work.
 */
import { useEffect } from 'react';

export type ShortcutMap = Record<string, (event: KeyboardEvent) => void>;

export const SHORTCUT_HELP: readonly [key: string, action: string][] = [
  ['n', 'New task'],
  ['/', 'Search'],
  ['j / k', 'Next / previous task'],
  ['Enter', 'Open the selected task'],
  ['l', 'List'],
  ['b', 'Board'],
];

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function useShortcuts(shortcuts: ShortcutMap): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const action = shortcuts[event.key];
      if (!action) return;
      event.preventDefault();
      action(event);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [shortcuts]);
}
