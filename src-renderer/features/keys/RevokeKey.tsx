import { useEffect, useRef, useState } from 'react';
import type { ApiKeyView } from '../../../src-shared/contract';
import { errorMessage } from '../../api';
import { useKeys } from '../../stores/keys';

/** The Revoke button of one key, and the modal dialog that confirms it. */
export function RevokeKey({ apiKey }: { apiKey: ApiKeyView }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`}>
        Revoke
      </button>
      {confirming && <ConfirmRevoke apiKey={apiKey} onClose={() => setConfirming(false)} />}
    </>
  );
}

function ConfirmRevoke({ apiKey, onClose }: { apiKey: ApiKeyView; onClose(): void }) {
  const revoke = useKeys((state) => state.revoke);
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // showModal: focus moves into the dialog, the page behind is inert, Escape cancels.
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  async function confirm() {
    setBusy(true);
    try {
      await revoke(apiKey.id);
      dialog.current?.close();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="revoke-title" aria-describedby="revoke-consequence">
      <h3 id="revoke-title">Revoke “{apiKey.name}”?</h3>
      <p id="revoke-consequence">
        Apps using <code>{apiKey.maskedKey}</code> stop working at once. A revoked key can’t be used again.
      </p>
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
          Revoke key
        </button>
      </div>
    </dialog>
  );
}
