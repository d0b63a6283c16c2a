import { useEffect, type RefObject } from 'react';
import { usePlayer } from '../../stores';

const SEEK_STEP = 5;

const KEY_ACTIONS: Record<string, () => void> = {
  ' ': () => usePlayer.getState().toggle(),
  ArrowLeft: () => usePlayer.getState().seekBy(-SEEK_STEP),
  ArrowRight: () => usePlayer.getState().seekBy(SEEK_STEP),
};

/** Where every key already means something: typing, choosing in a list, moving between radios, a modal dialog. */
const OWNS_ALL_KEYS =
  'input, textarea, select, [contenteditable]:not([contenteditable="false"]), dialog[open], [role="textbox"], [role="slider"], [role="listbox"], [role="grid"], [role="tree"], [role="menu"], [role="radiogroup"], [role="tablist"]';
/** Where Space presses the focused control. */
const OWNS_SPACE = 'button, a[href], summary, [role="button"], [role="checkbox"], [role="switch"], [role="option"], [role="menuitem"], [role="tab"]';

function keyBelongsTo(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest(OWNS_ALL_KEYS) !== null || (key === ' ' && target.closest(OWNS_SPACE) !== null);
}

/**
 * Space plays or pauses, ArrowLeft/ArrowRight seek 5 s back or on, from anywhere in the window but where the key
 * belongs to the focused control (so typing is never hijacked). The seek bar takes the arrows as the player does.
 */
export function usePlayerKeys(seekBar: RefObject<HTMLInputElement | null>, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      const action = KEY_ACTIONS[event.key];
      if (!action || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target !== seekBar.current && keyBelongsTo(event.target, event.key)) return;
      event.preventDefault(); // Space would scroll the page, the arrows step the seek bar by its own step
      if (!(event.key === ' ' && event.repeat)) action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [seekBar, enabled]);
}
