import { useState } from 'react';
import type { ApiKeyView } from '../../../src-shared/contract';
import { useKeys } from '../../stores';
import { ConfirmDialog } from '../../ui/ConfirmDialog';

/** The Revoke button of one key, and the modal dialog that confirms it. */
export function RevokeKey({ apiKey }: { apiKey: ApiKeyView }) {
  const revoke = useKeys((state) => state.revoke);
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`}>
        Revoke
      </button>
      {confirming && (
        <ConfirmDialog title={`Revoke “${apiKey.name}”?`} confirmLabel="Revoke key" onConfirm={() => revoke(apiKey.id)} onClose={() => setConfirming(false)}>
          <p>
            Apps using <code>{apiKey.maskedKey}</code> stop working at once. A revoked key can’t be used again.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
