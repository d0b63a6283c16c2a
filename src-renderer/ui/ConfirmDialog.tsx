import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../api';

interface ConfirmDialogProps {
  title: string;
  /** What happens if the user confirms, in plain words. */
  children: ReactNode;
  confirmLabel: string;
  /** Runs on confirm; a failure is shown in the dialog, which stays open. */
  onConfirm(): Promise<void>;
  onClose(): void;
}

/**
 * A modal confirmation for an action that can't be undone. showModal: focus moves into the dialog (on Cancel, the
 * safe choice), the page behind is inert, and Escape cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby={`${ids}-title`} aria-describedby={`${ids}-body`}>
      <h3 id={`${ids}-title`}>{title}</h3>
      <div id={`${ids}-body`}>{children}</div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" autoFocus onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={confirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
