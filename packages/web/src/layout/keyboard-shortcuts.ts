import { useEffect, useRef } from 'react';

/** `g` then a key: where it goes. Shown on the `?` overlay. */
export const GO_TO: readonly { key: string; path: string; label: string }[] = [
  { key: 'd', path: '/', label: 'Dashboard' },
  { key: 'h', path: '/Host', label: 'Hosts' },
  { key: 'r', path: '/runs', label: 'Runs' },
  { key: 's', path: '/session-records', label: 'Session history' },
  { key: 'a', path: '/agents', label: 'Agents' },
];

/** How long after `g` the second key still counts. */
const SEQUENCE_MS = 1500;

/** Inputs that take no typed text: keys pressed on them are still shortcuts. */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color']);

/** Keys typed into a field are the field's, never a shortcut (a ticked checkbox is no field). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  return target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT';
}

/** The page's search box: a list's live search (`q`), else the first search field. */
function searchBox(): HTMLInputElement | null {
  return (
    document.querySelector<HTMLInputElement>('input[name="q"]') ??
    document.querySelector<HTMLInputElement>('input[type="search"]')
  );
}

export interface ShortcutActions {
  navigate(path: string): void;
  showHelp(): void;
}

/**
 * Keyboard shortcuts for the whole admin: `/` focuses the search box, `g h` / `g r` / … go to
 * a page, `?` shows the list. Esc closing a dialog is the dialogs' own (MUI). Ignored while typing
 * in a field, with a modifier key, or while a dialog is open.
 */
export function useKeyboardShortcuts(actions: ShortcutActions): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    let pendingG = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      if (document.querySelector('.MuiDialog-root')) return;
      const goTo = Date.now() - pendingG < SEQUENCE_MS;
      pendingG = 0;
      if (goTo) {
        const target = GO_TO.find((entry) => entry.key === event.key);
        if (target) {
          event.preventDefault();
          latest.current.navigate(target.path);
        }
        return;
      }
      if (event.key === 'g') pendingG = Date.now();
      else if (event.key === '?') {
        event.preventDefault();
        latest.current.showHelp();
      } else if (event.key === '/') {
        const box = searchBox();
        if (!box) return;
        event.preventDefault();
        box.focus();
        box.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
