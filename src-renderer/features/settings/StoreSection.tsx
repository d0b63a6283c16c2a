import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { formatDateTime } from '../../format';
import { useStoreHealth } from '../../stores';
import { BackupList } from '../profile/BackupList';

/** The store's health on demand (a full check), its backups, and backing up or restoring by hand. */
export function StoreSection() {
  const { status, check, busy, error, load, runCheck, repairIndexes, backUp, restore } = useStoreHealth();
  const [restoring, setRestoring] = useState<string | null>(null);
  useEffect(() => void load(), [load]);

  return (
    <section className="card" aria-labelledby="store-title">
      <h3 id="store-title">Store and backups</h3>
      <p className="settings-help">
        The app checks the store each time it starts and keeps the last few backups (one a day at start, and at quit).
      </p>
      <div className="settings-buttons">
        <button type="button" onClick={() => void runCheck()} disabled={busy}>
          Check the store now
        </button>
        <button type="button" onClick={() => void backUp()} disabled={busy}>
          Back up now
        </button>
      </div>
      {busy && <p role="status">Working…</p>}
      {check && (
        <p role="status" className={check.ok ? undefined : 'warning'}>
          {check.ok
            ? 'The store is healthy: every row, index and reference checks out.'
            : `${check.count} problem${check.count === 1 ? '' : 's'} found${check.indexesOnly ? ' (only in indexes, which can be rebuilt from the rows)' : ''}: ${check.problems[0]}`}
        </p>
      )}
      {/* The check at start reads only so far: damage it did not reach is repaired here, with the store open. */}
      {check && !check.ok && check.indexesOnly && (
        <div className="settings-buttons">
          <button type="button" onClick={() => void repairIndexes()} disabled={busy}>
            Repair the indexes (nothing is lost)
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {status && <BackupList backups={status.backups} busy={busy} onRestore={setRestoring} />}
      {restoring && (
        <ConfirmDialog
          title="Restore this backup?"
          confirmLabel="Restore"
          onConfirm={() => restore(restoring)}
          onClose={() => setRestoring(null)}
        >
          The profile goes back to the backup of {formatDateTime(status?.backups.find((b) => b.name === restoring)?.createdAt ?? null)}: what
          changed since is no longer shown. The current store file is kept in the profile’s “damaged” folder.
        </ConfirmDialog>
      )}
    </section>
  );
}
