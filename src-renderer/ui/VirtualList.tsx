import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

interface VirtualListProps {
  /** How many rows the list has; only those in view (and `overscan` around them) are in the page. */
  count: number;
  /** Every row's height in pixels: fixed, so that any row's place is known without rendering the others. */
  rowHeight: number;
  overscan?: number;
  /** The list's accessible name. */
  label: string;
  className?: string;
  /** A row's content; `current` when it is the list's tab stop (its buttons should be tabbable only then). */
  renderRow(index: number, current: boolean): ReactNode;
  /** The rows in the page changed (first and last index, inclusive), for loading what they show. */
  onRangeChange?(first: number, last: number): void;
  /** Enter on a focused row. */
  onActivate?(index: number): void;
}

/** The rows in the page for a scroll position: those in view, `overscan` more on each side, within [0, count). */
function rangeAt(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan: number) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last };
}

/** Until the list has been measured: a tall window's worth of rows, so the first rows load at once. */
const INITIAL_VIEWPORT = 1200;

/**
 * A windowing list of fixed-height rows: a scrolling box whose content is as tall as every row together, with only
 * the rows in view placed in it, so 100,000 rows cost what 20 do. A `list` of `listitem`s, each saying where it
 * stands (aria-posinset of aria-setsize), since most of the list is never in the page. One row at a time is the
 * list's tab stop (Tab goes on into its buttons, then out of the list); the arrow keys, Page Up/Down, Home and End
 * move between rows. The row holding the focus stays in the page when it scrolls out of view, so the focus is
 * never lost to a scroll. Rows are keyed by position: what a position shows may change under it (a refresh).
 */
export function VirtualList({ count, rowHeight, overscan = 6, label, className, renderRow, onRangeChange, onActivate }: VirtualListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState(INITIAL_VIEWPORT);
  const [range, setRange] = useState(() => rangeAt(0, INITIAL_VIEWPORT, rowHeight, count, overscan));
  const [active, setActive] = useState(0);
  const [focused, setFocused] = useState<number | null>(null);
  /** A row to focus once it is in the page (after a key moved to it). */
  const focusNext = useRef<number | null>(null);

  const measure = useCallback(() => {
    const box = scroller.current;
    if (!box) return;
    const next = rangeAt(box.scrollTop, box.clientHeight || INITIAL_VIEWPORT, rowHeight, count, overscan);
    // Scrolling within a row changes nothing: only a new range renders again.
    setRange((current) => (current.first === next.first && current.last === next.last ? current : next));
  }, [rowHeight, count, overscan]);

  useLayoutEffect(measure, [measure, viewport]);

  useEffect(() => {
    const box = scroller.current;
    if (!box) return;
    const observer = new ResizeObserver(() => setViewport(box.clientHeight));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (range.last >= range.first) onRangeChange?.(range.first, range.last);
  }, [range, onRangeChange]);

  // The list shrank under the active row (a filter, a delete): the last row takes the tab stop.
  const activeRow = Math.min(active, Math.max(0, count - 1));

  useEffect(() => {
    const index = focusNext.current;
    if (index === null) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row) {
      focusNext.current = null;
      row.focus({ preventScroll: true });
    }
  });

  function moveTo(index: number) {
    const box = scroller.current;
    if (!box || count === 0) return;
    const target = Math.max(0, Math.min(count - 1, index));
    const top = target * rowHeight;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + rowHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + rowHeight - box.clientHeight;
    focusNext.current = target;
    setActive(target);
    measure();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const row = event.target as HTMLElement;
    // Keys pressed inside a row (its buttons, a text field) are theirs.
    if (row.getAttribute('role') !== 'listitem') return;
    const index = Number(row.dataset.index);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight) / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + page, PageUp: index - page, Home: 0, End: count - 1 };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]!);
    } else if (event.key === 'Enter' && onActivate) {
      event.preventDefault();
      onActivate(index);
    }
  }

  const indices: number[] = [];
  for (let i = range.first; i <= range.last; i++) indices.push(i);
  if (focused !== null && focused < count && (focused < range.first || focused > range.last)) indices.push(focused);

  return (
    <div ref={scroller} className={className} onScroll={measure}>
      <div
        role="list"
        aria-label={label}
        style={{ position: 'relative', height: count * rowHeight }}
        onKeyDown={onKeyDown}
        onFocus={(event) => {
          const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
          if (!row) return;
          const index = Number(row.dataset.index);
          setFocused(index);
          setActive(index);
        }}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setFocused(null);
        }}
      >
        {indices.map((index) => (
          <div
            key={index}
            role="listitem"
            aria-setsize={count}
            aria-posinset={index + 1}
            data-index={index}
            tabIndex={index === activeRow ? 0 : -1}
            // Strict containment: a row's layout and paint never reach the rest of the list (it has a fixed size).
            style={{ position: 'absolute', top: index * rowHeight, left: 0, right: 0, height: rowHeight, contain: 'strict' }}
          >
            {renderRow(index, index === activeRow)}
          </div>
        ))}
      </div>
    </div>
  );
}
