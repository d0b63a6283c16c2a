/** How the screens write times, durations, counts and memo titles: one place, so every screen says them the same way. */
import type { MemoView } from '../src-shared/contract';
import { defaultTitle } from '../src-shared/memo-title';

/** `1:05`, or `1:02:05` past an hour; for elapsed/total and memo lengths. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A date and time in the user's locale, or `Never`. */
export const formatDateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'Never');

/** `in 3 h 20 min`, `in 12 min`, `in less than a minute`: the time left until `iso`. */
export function formatTimeUntil(iso: string, now = Date.now()): string {
  const minutes = Math.ceil((Date.parse(iso) - now) / 60_000);
  if (minutes <= 1) return 'in less than a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `in ${h > 0 ? `${h} h ` : ''}${h > 0 && m === 0 ? '' : `${m} min`}`.trimEnd();
}

/** What every screen calls a memo: its title, or its text's first words (an imported memo may have no title). */
export const memoTitle = (memo: Pick<MemoView, 'title' | 'text'>) => memo.title || defaultTitle(memo.text) || 'Untitled memo';

/** `12,345` in the user's locale. */
export const formatCount = (n: number) => n.toLocaleString();
