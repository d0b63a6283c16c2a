import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../api';

interface RenameDialogProps {
  /** What is renamed, as the user knows it now (the dialog's title quotes it). */
  current: string;
  /** The field's label, e.g. "New name". */
  label: string;
  /** Said when the field is left empty. */
  emptyError: string;
  maxLength: number;
  /** Saves the trimmed new name; a failure is shown in the dialog, which stays open. */
  onRename(name: string): Promise<void>;
  onClose(): void;
}

/** A modal form for a new name: focus starts in the field, Escape or Cancel leaves the name as it was. */
export function RenameDialog({ current, label, emptyError, maxLength, onRename, onClose }: RenameDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [name, setName] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError(emptyError);
    setBusy(true);
    try {
      await onRename(name.trim());
      dialog.current?.close();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby={`${id}-title`}>
      <form onSubmit={submit} noValidate>
        <h3 id={`${id}-title`}>Rename “{current}”</h3>
        <label htmlFor={`${id}-field`}>{label}</label>
        <input id={`${id}-field`} value={name} maxLength={maxLength} required autoFocus onFocus={(event) => event.target.select()} onChange={(event) => setName(event.target.value)} />
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
