import { useState } from 'react';
import type { StoreStatus } from '../../../src-shared/contract';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { useStoreHealth } from '../../stores';
import { BackupList } from './BackupList';
import '../settings/settings.css';

/**
 * The start-up page of a profile whose store cannot open: what is wrong, and the ways back. Nothing is deleted:
 * a restore or a fresh start keeps the old store file in the profile's "damaged" folder.
 */
export function StoreProblem({ status }: { status: StoreStatus }) {
  const { busy, error, restore, rebuild, startFresh } = useStoreHealth();
  const newest = status.backups.find((b) => b.usable);
  const [confirmingFresh, setConfirmingFresh] = useState(false);
  return (
    <section className="card store-problem" aria-labelledby="store-problem-title">
      <h2 id="store-problem-title">{status.state === 'missing' ? 'Your profile’s store is missing' : 'Your profile’s store is damaged'}</h2>
      <p role="alert">{status.problem}</p>
      <p>
        Profile folder: <code className="settings-path">{status.profileDir}</code>
      </p>
      <div className="settings-buttons">
        {status.indexesOnly && (
          <button type="button" onClick={() => void rebuild()} disabled={busy}>
            Repair the indexes (nothing is lost)
          </button>
        )}
        {newest && (
          <button type="button" onClick={() => void restore()} disabled={busy}>
            Restore the newest backup
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirmingFresh(true)} disabled={busy}>
          Start with an empty profile
        </button>
      </div>
      {confirmingFresh && (
        <ConfirmDialog title="Start with an empty profile?" confirmLabel="Start empty" onConfirm={startFresh} onClose={() => setConfirmingFresh(false)}>
          <p>
            The app opens with no memos, keys or usage{newest ? ', though a backup could bring them back' : ''}. The old store file is moved into the
            profile’s <code>damaged</code> folder, not deleted, and the memos’ audio stays in the profile.
          </p>
        </ConfirmDialog>
      )}
      {busy && <p role="status">Working…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Backups</h3>
      <BackupList backups={status.backups} busy={busy} onRestore={(name) => void restore(name)} />
    </section>
  );
}
