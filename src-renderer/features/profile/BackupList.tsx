import type { BackupView } from '../../../src-shared/contract';
import { formatDateTime } from '../../format';

/** The profile's backups, newest first, each with a Restore button (a damaged one says so instead). */
export function BackupList({ backups, busy, onRestore }: { backups: BackupView[]; busy: boolean; onRestore(name: string): void }) {
  if (backups.length === 0) return <p>No backups yet.</p>;
  return (
    <ul className="backup-list" aria-label="Backups">
      {backups.map((backup) => (
        <li key={backup.name}>
          <span>
            {formatDateTime(backup.createdAt)} · {(backup.bytes / 1024 / 1024).toFixed(1)} MB
          </span>
          {backup.usable ? (
            <button type="button" onClick={() => onRestore(backup.name)} disabled={busy} aria-label={`Restore the backup of ${formatDateTime(backup.createdAt)}`}>
              Restore
            </button>
          ) : (
            <span className="warning">damaged</span>
          )}
        </li>
      ))}
    </ul>
  );
}
