/**
 * Import of an agent-talk SQLite file the user picked in the app: its bytes (and its `-wal` file's, when there is
 * one) are written to a private temporary folder under their own names, imported into the profile (the rows of
 * the file's account with the profile's email become the profile user's; see db/import), and removed. A file that is not an agent-talk database is an IMPORT_FAILED refusal that changes nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AgentTalkStore } from '../db';
import { importLegacyDatabase, LegacyImportError, type ImportReport, type ImportTarget } from '../db/import';
import { ServiceError } from './errors';

export interface LegacyUpload {
  fileName: string;
  database: Uint8Array;
  wal?: Uint8Array;
}

/** What the app shows after an import into the profile. */
export type ProfileImportReport = ImportReport & { account: string; otherAccounts: number };

export async function importLegacyUpload(store: AgentTalkStore, upload: LegacyUpload, into: ImportTarget): Promise<ProfileImportReport> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-talk-import-'));
  // Only the name's last part, and never a dot file: the name comes from the page.
  const file = join(dir, basename(upload.fileName).replace(/^\.+/, '') || 'agent-talk.db');
  try {
    await writeFile(file, upload.database);
    if (upload.wal) await writeFile(`${file}-wal`, upload.wal);
    const report = await importLegacyDatabase(store, file, into);
    return { ...report, file: upload.fileName, account: report.account ?? into.email, otherAccounts: report.otherAccounts ?? 0 };
  } catch (error) {
    if (error instanceof LegacyImportError) {
      // The message names the file: by the name the user knows, not the temporary copy's path.
      throw new ServiceError('IMPORT_FAILED', error.message.replaceAll(file, upload.fileName), { reason: error.code });
    }
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
