import { useState, type ChangeEvent } from 'react';
import { MAX_UPLOAD_BYTES } from '../../../src-shared/contract/settings';
import { call, errorMessage, upload } from '../../api';
import { ImportReport, type Report } from './ImportReport';

type ImportState =
  | { step: 'idle' }
  | { step: 'busy'; fileName: string }
  | { step: 'done'; report: Report }
  | { step: 'refused'; message: string };

const MAX_MB = Math.floor(MAX_UPLOAD_BYTES / 2 ** 20);

/** The database among the picked files, and its write-ahead log (`agent-talk.db-wal`) when picked with it. */
function pickDatabase(files: File[]): { database: File; wal: File | undefined } | string {
  const wals = files.filter((file) => file.name.endsWith('-wal'));
  const databases = files.filter((file) => !file.name.endsWith('-wal'));
  if (databases.length !== 1 || wals.length > 1) return 'Choose one database file, and its -wal file if it has one.';
  const [database, wal] = [databases[0]!, wals[0]];
  if (database.size > MAX_UPLOAD_BYTES || (wal?.size ?? 0) > MAX_UPLOAD_BYTES) {
    return `That file is too large to import here (up to ${MAX_MB} MB); use npm run db:import instead.`;
  }
  return { database, wal };
}

/** Import of an agent-talk SQLite file (and its -wal file): the rows of the profile's account, then the report. */
export function LegacyImport() {
  const [state, setState] = useState<ImportState>({ step: 'idle' });

  async function importFiles(event: ChangeEvent<HTMLInputElement>) {
    const picked = pickDatabase([...(event.target.files ?? [])]);
    // Emptied, so that picking the same file again (after fixing it) imports it again.
    event.target.value = '';
    if (typeof picked === 'string') {
      setState({ step: 'refused', message: picked });
      return;
    }
    const { database, wal } = picked;
    setState({ step: 'busy', fileName: database.name });
    try {
      const report = await call('legacy.import', {
        fileName: database.name,
        database: await upload(database),
        ...(wal && { wal: await upload(wal) }),
      });
      setState({ step: 'done', report });
    } catch (error) {
      setState({ step: 'refused', message: errorMessage(error) });
    }
  }

  return (
    <section className="card" aria-labelledby="import-title" aria-busy={state.step === 'busy'}>
      <h3 id="import-title">Import from Agent Talk</h3>
      <p id="import-help">
        Pick the service’s SQLite database (<code>.db</code>, <code>.sqlite</code>), with its <code>-wal</code> file if there is one next
        to it. The memos, keys and usage of the account with your email come into this profile; rows already here are
        skipped.
      </p>
      <label htmlFor="import-file">Database file</label>
      <input
        id="import-file"
        className="settings-file"
        type="file"
        multiple
        accept=".db,.sqlite,.sqlite3,.db-wal,.sqlite-wal,.sqlite3-wal"
        aria-describedby="import-help"
        disabled={state.step === 'busy'}
        onChange={(event) => void importFiles(event)}
      />
      <div aria-live="polite">
        {state.step === 'busy' && <p>Importing {state.fileName}…</p>}
        {state.step === 'done' && <ImportReport report={state.report} />}
      </div>
      {state.step === 'refused' && (
        <p className="error" role="alert">
          {state.message}
        </p>
      )}
    </section>
  );
}
