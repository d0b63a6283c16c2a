import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { MemoView } from '../../../src-shared/contract';
import { errorMessage } from '../../api';
import { useMemos } from '../../stores';
import { memoTitle } from '../../format';

/** A modal form for a memo's new title: focus starts in the field, Escape or Cancel leaves the title as it was. */
export function RenameMemo({ memo, onClose }: { memo: MemoView; onClose(): void }) {
  const rename = useMemos((state) => state.rename);
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [title, setTitle] = useState(memoTitle(memo));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim()) return setError('A title can’t be empty.');
    setBusy(true);
    try {
      await rename(memo.id, title.trim());
      dialog.current?.close();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby={`${id}-title`}>
      <form onSubmit={submit} noValidate>
        <h3 id={`${id}-title`}>Rename “{memoTitle(memo)}”</h3>
        <label htmlFor={`${id}-field`}>New title</label>
        <input id={`${id}-field`} value={title} maxLength={200} required autoFocus onFocus={(event) => event.target.select()} onChange={(event) => setTitle(event.target.value)} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="quiet" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Rename
          </button>
        </div>
      </form>
    </dialog>
  );
}
