import { useState } from 'react';
import type { ApiKeyView } from '../../../src-shared/contract';
import { useKeys } from '../../stores';
import { RenameDialog } from '../../ui/RenameDialog';

/** A Rename button, and its modal form (a key's name: at most 100 characters). */
export function RenameKey({ apiKey }: { apiKey: ApiKeyView }) {
  const rename = useKeys((state) => state.rename);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="quiet" aria-label={`Rename ${apiKey.name}`} onClick={() => setOpen(true)}>
        Rename
      </button>
      {open && (
        <RenameDialog
          current={apiKey.name}
          label="New name"
          emptyError="A key’s name can’t be empty."
          maxLength={100}
          onRename={(name) => rename(apiKey.id, name)}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
