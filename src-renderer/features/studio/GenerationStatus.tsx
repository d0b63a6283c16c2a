import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { retryCannotHelp, whatToChange } from '../../../src-shared/memo-failure';
import type { MemoView } from '../../../src-shared/contract';
import { formatDuration, memoTitle } from '../../format';
import { usePlayer, useStudio } from '../../stores';

function statusText(memo: MemoView, progress: number): string {
  switch (memo.status) {
    case 'queued':
      return 'Waiting to start…';
    case 'processing':
      return `Generating… ${Math.round(progress * 100)}%`;
    case 'completed':
      return `Ready (${formatDuration(memo.durationSec)}), in the player below.`;
    case 'failed':
      return [`Generation failed: ${memo.error ?? 'no reason was given.'}`, whatToChange(memo.errorCode)].filter(Boolean).join(' ');
    case 'cancelled':
      return 'Cancelled.';
  }
}

/**
 * The memo last generated here: how far its job has come, and what can be done with it now. Once Generate is
 * pressed, focus moves here (the button is disabled meanwhile, and would leave it on the page's body) and the card
 * scrolls into view; its status is announced as it changes.
 */
export function GenerationStatus() {
  const { memo, progress, busy, started, cancel, retry } = useStudio(
    useShallow((s) => ({ memo: s.memo, progress: s.progress, busy: s.busy, started: s.started, cancel: s.cancel, retry: s.retry })),
  );
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (started === 0 || !card.current) return;
    card.current.focus({ preventScroll: true });
    card.current.scrollIntoView({ block: 'nearest' });
  }, [started]);
  if (!memo) return null;
  const working = memo.status === 'queued' || memo.status === 'processing';
  return (
    <section ref={card} tabIndex={-1} className="card generation" aria-labelledby="generation-title">
      <h3 id="generation-title">{memoTitle(memo)}</h3>
      <p className={memo.status === 'failed' ? 'error' : undefined} role="status">
        {statusText(memo, progress)}
      </p>
      {working && <progress aria-label="Generation progress" max={1} value={memo.status === 'processing' ? progress : undefined} />}
      <div className="generation-actions">
        {working && (
          <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
            Cancel
          </button>
        )}
        {(memo.status === 'cancelled' || (memo.status === 'failed' && !retryCannotHelp(memo.errorCode))) && (
          <button type="button" disabled={busy} onClick={() => void retry()}>
            Retry
          </button>
        )}
        {memo.status === 'completed' && (
          <button type="button" onClick={() => usePlayer.getState().play(memo)}>
            Play again
          </button>
        )}
      </div>
    </section>
  );
}
