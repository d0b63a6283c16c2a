import { useEffect, useState, type FormEvent } from 'react';
import type { DeviceSyncStatus, DeviceView } from '../../../src-shared/contract';
import { call, errorMessage, on } from '../../api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';

/** The state in one line, as the indicator says it. */
export function describeDeviceSync(status: DeviceSyncStatus): string {
  const others = status.devices.filter((d) => !d.self).length;
  const devices = `${others + 1} computer${others === 0 ? '' : 's'}`;
  switch (status.state) {
    case 'off':
      return 'Off.';
    case 'in-step':
      return `In step (${devices}).`;
    case 'pending':
      return `${status.toWrite} change${status.toWrite === 1 ? '' : 's'} to write, ${status.toRead} file${status.toRead === 1 ? '' : 's'} to read (${devices}).`;
    default:
      return `${status.message ?? 'The sync folder cannot be used.'} Nothing is lost: it resumes when the folder is back.`;
  }
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/**
 * Settings → Sync between computers: the folder a carrier (Syncthing, Dropbox, a network share) keeps in step
 * between the user's computers, this computer's name, and the computers seen in it. A path field: the browser
 * host has no native folder dialog.
 */
export function DeviceSyncPanel() {
  const [status, setStatus] = useState<DeviceSyncStatus | null>(null);
  const [folder, setFolder] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<DeviceView | null>(null);

  useEffect(() => {
    void call('devices.status').then(setStatus, (failure: unknown) => setError(errorMessage(failure)));
    return on('devices.status', setStatus);
  }, []);

  async function update(changes: Parameters<typeof call<'devices.update'>>[1]) {
    setBusy(true);
    setError(null);
    try {
      setStatus(await call('devices.update', changes));
      setFolder(null);
      setName(null);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const path = (folder ?? status?.folder ?? '').trim();
    void update({ folder: path === '' ? null : path, ...(name !== null && name.trim() !== '' && { name: name.trim() }) });
  }

  if (!status) return null;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="device-sync-title">
      <h3 id="device-sync-title">Sync between computers</h3>
      <p className="settings-help" id="device-sync-help">
        Choose a folder that Syncthing, Dropbox, Nextcloud, a network share or any other sync tool keeps the same on
        your computers. Memos with their audio, keys’ names and revocations (never a key itself), usage and your
        profile then stay in step on every computer pointed at it.
      </p>
      <label htmlFor="device-sync-folder">Folder (full path)</label>
      <input
        id="device-sync-folder"
        className="settings-url"
        spellCheck={false}
        placeholder="/home/you/Sync"
        value={folder ?? status.folder ?? ''}
        onChange={(event) => setFolder(event.target.value)}
        aria-describedby="device-sync-help"
      />
      <label htmlFor="device-sync-name">This computer’s name</label>
      <input id="device-sync-name" value={name ?? status.name} onChange={(event) => setName(event.target.value)} />
      <label>
        <input type="checkbox" checked={status.audio === 'all'} disabled={busy} onChange={(event) => void update({ audio: event.target.checked ? 'all' : 'when-needed' })} /> Fetch every
        memo’s audio as it arrives
      </label>
      <div className="settings-buttons">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" disabled={busy || status.state === 'off'} onClick={() => void call('devices.syncNow').then(setStatus)}>
          Sync now
        </button>
        <button type="button" className="danger" disabled={busy || status.folder === null} onClick={() => void update({ folder: null })}>
          Turn off
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p role="status" className={['unavailable', 'read-only', 'full', 'error'].includes(status.state) ? 'warning' : undefined}>
        {describeDeviceSync(status)}
      </p>
      {status.devices.length > 0 && (
        <table>
          <caption>Computers in this folder</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Last heard from</th>
              <th scope="col">Files to read</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {status.devices.map((d) => (
              <tr key={d.id}>
                <td>{d.self ? `${d.name} (this computer)` : d.name}</td>
                <td>{d.self ? '—' : when(d.lastHeardAt)}</td>
                <td>{d.toRead}</td>
                <td>
                  {!d.self && (
                    <button type="button" className="danger" disabled={busy} onClick={() => setRemoving(d)} aria-label={`Remove ${d.name}`}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status.conflicts.length > 0 && <p className="warning">Conflict copies made by the sync tool were ignored: {status.conflicts.join(', ')}.</p>}
      {status.problems.length > 0 && <p className="warning">Not applied: {status.problems.join('; ')}</p>}
      {removing && (
        <ConfirmDialog
          title={`Remove “${removing.name}”?`}
          confirmLabel="Remove computer"
          onConfirm={async () => setStatus(await call('devices.remove', { id: removing.id }))}
          onClose={() => setRemoving(null)}
        >
          For a computer that will never sync again (sold, broken, reinstalled). This computer stops waiting for its
          changes it has not read yet ({removing.toRead} file{removing.toRead === 1 ? '' : 's'}), and its own old
          changes and the audio of deleted memos leave the folder without waiting for that computer to read them.
          Everything it wrote that arrived here stays. If it ever syncs again, it is back in the list.
        </ConfirmDialog>
      )}
    </form>
  );
}
