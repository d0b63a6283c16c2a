import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiKeyView } from '../../../src-shared/contract';
import { errorMessage } from '../../api';
import { useKeys } from '../../stores';

/** A Rename button, and its modal form: focus starts in the field, Escape or Cancel leaves the name as it was. */
export function RenameKey({ apiKey }: { apiKey: ApiKeyView }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="quiet" aria-label={`Rename ${apiKey.name}`} onClick={() => setOpen(true)}>
        Rename
      </button>
      {open && <RenameKeyDialog apiKey={apiKey} onClose={() => setOpen(false)} />}
    </>
  );
}

function RenameKeyDialog({ apiKey, onClose }: { apiKey: ApiKeyView; onClose(): void }) {
  const rename = useKeys((state) => state.rename);
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [name, setName] = useState(apiKey.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('A key’s name can’t be empty.');
    setBusy(true);
    try {
      await rename(apiKey.id, name.trim());
      dialog.current?.close();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby={`${id}-title`}>
      <form onSubmit={submit} noValidate>
        <h3 id={`${id}-title`}>Rename “{apiKey.name}”</h3>
        <label htmlFor={`${id}-field`}>New name</label>
        <input id={`${id}-field`} value={name} maxLength={100} required autoFocus onFocus={(event) => event.target.select()} onChange={(event) => setName(event.target.value)} />
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
