import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MemoView } from '../../../src-shared/contract';
import { call, errorMessage } from '../../api';
import { memoTitle } from '../../format';
import { hasCriteria, memoAt } from '../../stores/memos';
import { useNav } from '../../stores/nav';
import { hasAudio, isOnService } from '../../stores/player';
import { useMemos, usePlayer, useProfile, useVoices } from '../../stores';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { VirtualList } from '../../ui/VirtualList';
import { LibraryFilters } from './LibraryFilters';
import { downloadName, LoadingRow, MemoRow, type MemoActions } from './MemoRow';
import { RenameMemo } from './RenameMemo';
import './library.css';

/** Every row's height in pixels (library.css lays a row out to fit it). */
const ROW_HEIGHT = 88;

/** What the last action came to: a plain sentence, or the core's refusal. */
type Outcome = { text: string; failed: boolean } | null;
type Dialog = { kind: 'rename' | 'delete'; memo: MemoView } | null;

/** The memo with its audio on this computer: an imported memo's is fetched from the service the first time. */
const withLocalAudio = async (memo: MemoView) => (isOnService(memo) ? call('memos.fetchAudio', { id: memo.id }) : memo);

function EmptyLibrary() {
  const go = useNav((state) => state.go);
  return (
    <div className="card library-empty">
      <p>No memos yet — make one in the Studio.</p>
      <button type="button" onClick={() => go('studio')}>
        Go to the Studio
      </button>
    </div>
  );
}

/** The Library: every memo, newest first, in a list that loads only what is in view (see stores/memos.ts). */
export function LibraryScreen() {
  const { criteria, total, pages, listId, error, open, show, refresh, remove, retry, cancel, exportAudio } = useMemos();
  const fileDialogs = useProfile((state) => state.app?.fileDialogs ?? false);
  const { voices, load: loadVoices } = useVoices();
  useEffect(() => void loadVoices(), [loadVoices]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  useEffect(open, [open]);

  const voiceNames = useMemo(() => new Map(voices.map((voice) => [voice.id, voice.name])), [voices]);

  const actions = useMemo<MemoActions>(() => {
    /** Runs an action; says what it came to in the status line (a failure as the core words it). */
    const run = async (action: () => Promise<string | null>) => {
      setOutcome(null);
      try {
        const done = await action();
        if (done) setOutcome({ text: done, failed: false });
      } catch (failure) {
        setOutcome({ text: errorMessage(failure), failed: true });
      }
    };
    return {
      play: (memo) =>
        void run(async () => {
          // The player's next and previous go through the memos of its page, in the list's order (the player skips
          // those it cannot play). The player brings the memo's audio here first, or says why it cannot.
          const page = Object.values(useMemos.getState().pages).find(({ memos }) => memos.includes(memo));
          usePlayer.getState().play(memo, page?.memos);
          return null;
        }),
      rename: (memo) => setDialog({ kind: 'rename', memo }),
      remove: (memo) => setDialog({ kind: 'delete', memo }),
      retry: (memo) => void run(async () => (await retry(memo.id), `“${memoTitle(memo)}” is queued again.`)),
      cancel: (memo) => void run(async () => (await cancel(memo.id), `“${memoTitle(memo)}” was cancelled.`)),
      exportAudio: (memo) =>
        void run(async () => {
          const path = await exportAudio(memo.id); // the core brings its audio here first
          return path === null ? null : `Saved to ${path}`;
        }),
      download: (memo) =>
        void run(async () => {
          const local = await withLocalAudio(memo);
          const link = Object.assign(document.createElement('a'), { href: local.audioUrl, download: downloadName(local) });
          link.click();
          return null;
        }),
    };
  }, [retry, cancel, exportAudio]);

  async function deleteMemo(memo: MemoView) {
    await remove(memo.id);
    setOutcome({ text: `“${memoTitle(memo)}” was deleted.`, failed: false });
  }

  const renderRow = useCallback(
    (index: number, current: boolean) => {
      const memo = memoAt(pages, index);
      if (!memo) return <LoadingRow />;
      return <MemoRow memo={memo} voiceName={voiceNames.get(memo.voice ?? '') ?? memo.voice ?? 'Unknown voice'} current={current} fileDialogs={fileDialogs} actions={actions} />;
    },
    [pages, voiceNames, fileDialogs, actions],
  );

  const filtered = hasCriteria(criteria);

  return (
    <section className="library" aria-labelledby="library-title">
      <h2 id="library-title">Library</h2>
      <LibraryFilters voices={voices} />
      <div aria-live="polite">
        {outcome && <p className={outcome.failed ? 'error' : 'library-outcome'}>{outcome.text}</p>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}{' '}
          <button type="button" className="quiet" onClick={refresh}>
            Try again
          </button>
        </p>
      )}
      {total === 0 && !filtered && <EmptyLibrary />}
      {total === 0 && filtered && <p className="library-none">No memos match these filters.</p>}
      {total !== null && total > 0 && (
        <VirtualList
          key={listId}
          className="memo-list"
          label="Memos, newest first"
          count={total}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          onRangeChange={show}
          onActivate={(index) => {
            const memo = memoAt(pages, index);
            if (memo && hasAudio(memo)) actions.play(memo);
          }}
        />
      )}
      {dialog?.kind === 'rename' && <RenameMemo memo={dialog.memo} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog title={`Delete “${memoTitle(dialog.memo)}”?`} confirmLabel="Delete memo" onConfirm={() => deleteMemo(dialog.memo)} onClose={() => setDialog(null)}>
          <p>The memo and its audio are removed from this computer. This can’t be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
