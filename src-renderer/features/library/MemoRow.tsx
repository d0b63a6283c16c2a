import { memo } from 'react';
import { retryCannotHelp, whatToChange } from '../../../src-shared/memo-failure';
import type { MemoView } from '../../../src-shared/contract';
import { formatDateTime, formatDuration, memoTitle } from '../../format';
import type { MemoStatus } from '../../stores/memos';
import { hasAudio, isOnService } from '../../stores/player';

/** `Memo.wav`: the title, and the audio's own extension. */
export function downloadName(memo: MemoView): string {
  const extension = /\.[a-z0-9]+$/i.exec(memo.audioUrl)?.[0] ?? '.wav';
  return `${memoTitle(memo)}${extension}`;
}

export const STATUS_LABELS: Record<MemoStatus, string> = {
  queued: 'Queued',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What a row's buttons do; the screen owns the dialogs and the messages, so a row that scrolls away loses none. */
export interface MemoActions {
  play(memo: MemoView): void;
  rename(memo: MemoView): void;
  remove(memo: MemoView): void;
  retry(memo: MemoView): void;
  cancel(memo: MemoView): void;
  /** Saves the audio through a save dialog (where the app has them: see `fileDialogs`). */
  exportAudio(memo: MemoView): void;
  /** Downloads audio still on the service (an imported memo's) in a browser, once it is fetched to this computer. */
  download(memo: MemoView): void;
}

interface MemoRowProps {
  memo: MemoView;
  voiceName: string;
  /** Whether the row is the list's tab stop: only then are its buttons in the tab order. */
  current: boolean;
  /** The app can show save dialogs; elsewhere (a browser) the audio is downloaded through a link. */
  fileDialogs: boolean;
  actions: MemoActions;
}

/** Rows show the text's start only: a memo's text may be very long, and one line is all there is room for. */
const EXCERPT_LENGTH = 240;

function StatusBadge({ memo }: { memo: MemoView }) {
  return (
    <span className={`memo-status ${memo.status}`}>
      {STATUS_LABELS[memo.status]}
      {memo.status === 'failed' && memo.error && `: ${memo.error}`}
      {memo.status === 'failed' && whatToChange(memo.errorCode) && ` ${whatToChange(memo.errorCode)}`}
    </span>
  );
}

function RowActions({ memo, current, fileDialogs, actions }: Omit<MemoRowProps, 'voiceName'>) {
  const title = memoTitle(memo);
  const tabIndex = current ? 0 : -1;
  const onService = isOnService(memo);
  const playable = hasAudio(memo);
  return (
    <div className="memo-actions">
      {playable && (
        <button type="button" tabIndex={tabIndex} aria-label={`Play ${title}`} onClick={() => actions.play(memo)}>
          Play
        </button>
      )}
      <button type="button" className="quiet" tabIndex={tabIndex} aria-label={`Rename ${title}`} onClick={() => actions.rename(memo)}>
        Rename
      </button>
      {playable &&
        (fileDialogs ? (
          <button type="button" className="quiet" tabIndex={tabIndex} aria-label={`Export audio of ${title}`} onClick={() => actions.exportAudio(memo)}>
            Export
          </button>
        ) : onService ? (
          <button type="button" className="quiet" tabIndex={tabIndex} aria-label={`Download audio of ${title}`} onClick={() => actions.download(memo)}>
            Download
          </button>
        ) : (
          <a className="quiet button" tabIndex={tabIndex} href={memo.audioUrl} download={downloadName(memo)} aria-label={`Download audio of ${title}`}>
            Download
          </a>
        ))}
      {(memo.status === 'cancelled' || (memo.status === 'failed' && !retryCannotHelp(memo.errorCode))) && (
        <button type="button" className="quiet" tabIndex={tabIndex} aria-label={`Retry ${title}`} onClick={() => actions.retry(memo)}>
          Retry
        </button>
      )}
      {(memo.status === 'queued' || memo.status === 'processing') && (
        <button type="button" className="quiet" tabIndex={tabIndex} aria-label={`Cancel ${title}`} onClick={() => actions.cancel(memo)}>
          Cancel
        </button>
      )}
      <button type="button" className="danger" tabIndex={tabIndex} aria-label={`Delete ${title}`} onClick={() => actions.remove(memo)}>
        Delete
      </button>
    </div>
  );
}

/** One memo in the Library: title, the start of its text, voice, length, date and status, and what can be done. */
export const MemoRow = memo(function MemoRow({ memo, voiceName, current, fileDialogs, actions }: MemoRowProps) {
  return (
    <div className="memo-row">
      <div className="memo-summary">
        <p className="memo-title">{memoTitle(memo)}</p>
        <p className="memo-excerpt">{memo.text.slice(0, EXCERPT_LENGTH)}</p>
        <p className="memo-meta">
          <span>{voiceName}</span>
          {memo.status === 'completed' && memo.durationSec > 0 && <span>{formatDuration(memo.durationSec)}</span>}
          {isOnService(memo) && <span>Audio on the service</span>}
          <time dateTime={memo.createdAt}>{formatDateTime(memo.createdAt)}</time>
          <StatusBadge memo={memo} />
        </p>
      </div>
      <RowActions memo={memo} current={current} fileDialogs={fileDialogs} actions={actions} />
    </div>
  );
});

/** A row whose page is still loading: the same height, so nothing jumps when it arrives. */
export function LoadingRow() {
  return (
    <div className="memo-row loading">
      <p className="memo-title">Loading…</p>
    </div>
  );
}
