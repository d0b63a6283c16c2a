/**
 * Import of an agent-talk SQLite file the user picked in the app: its upload (and its `-wal` file's, when there is
 * one) is moved into a private folder under the file's own name (SQLite finds a -wal file by name), imported into
 * the profile (the rows of the file's account with the profile's email become the profile user's; see db/import),
 * and removed. A file that is not an agent-talk database is an IMPORT_FAILED refusal that changes nothing.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AgentTalkStore } from '../db';
import { importLegacyDatabase, LegacyImportError, type ImportReport, type ImportTarget } from '../db/import';
import { ServiceError } from './errors';

/** Where the page's uploads land (`POST /upload`), each under the id it was answered with. */
export const uploadDirOf = (profileDir: string) => join(profileDir, 'uploads');

export interface LegacyUpload {
  fileName: string;
  /** Upload ids (uuids, checked by the contract) in `uploadDir`. */
  database: string;
  wal?: string;
}

/** What the app shows after an import into the profile. */
export type ProfileImportReport = ImportReport & { account: string; otherAccounts: number };

export async function importLegacyUpload(store: AgentTalkStore, uploadDir: string, upload: LegacyUpload, into: ImportTarget): Promise<ProfileImportReport> {
  const dir = join(uploadDir, `.import-${randomUUID()}`);
  // Only the name's last part, and never a dot file: the name comes from the page.
  const file = join(dir, basename(upload.fileName).replace(/^\.+/, '') || 'agent-talk.db');
  try {
    await mkdir(dir);
    await moveUpload(join(uploadDir, upload.database), file);
    if (upload.wal) await moveUpload(join(uploadDir, upload.wal), `${file}-wal`);
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
    await Promise.all([upload.database, upload.wal].map((id) => id && rm(join(uploadDir, id), { force: true })));
  }
}

async function moveUpload(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ServiceError('NOT_FOUND', 'That upload is gone; pick the file again.');
  }
}

/** Uploads a crash or a closed page left behind: nothing names them any more. */
export const removeLeftUploads = (uploadDir: string) => rm(uploadDir, { recursive: true, force: true });
