/**
 * Imports the service's earlier SQLite database into a profile's store, in one transaction. Rows keep their ids:
 * a row already present is skipped, so importing a file twice adds nothing. A row the store refuses (a broken
 * constraint) is reported and left out, and everything else commits.
 *
 * Into a profile (`into`, the app's own import): only the rows of the file's account with the profile's email (or
 * of its only account) are imported, as the profile user's; the account row itself and its subscription are not
 * (the profile has its own, and the plan is the cloud's to say). Other accounts' rows are counted in `otherAccounts`.
 */
import type { AgentTalkStore } from '../agent-talk';
import { StoreError } from '../errors';
import { convertRow } from './convert';
import { LegacyImportError } from './errors';
import { LEGACY_TABLES, readLegacyDatabase, type LegacyData, type LegacyRow, type LegacyTable } from './read-legacy';

export { LegacyImportError, type LegacyImportErrorCode } from './errors';
export { readLegacyDatabase, type LegacyData, type LegacyTable } from './read-legacy';

export interface TableCounts {
  imported: number;
  /** Already present in the store (same id): left as it is there. */
  skipped: number;
  rejected: number;
}

export interface ImportReport {
  file: string;
  /** Into a profile: the email of the file's account that was imported, and how many rows of others were left. */
  account?: string;
  otherAccounts?: number;
  tables: Record<LegacyTable, TableCounts>;
  rejected: { table: LegacyTable; id: string; reason: string }[];
  /** Rows imported with a value changed on the way (see convert.ts). */
  notes: { table: LegacyTable; id: string; note: string }[];
}

/** The profile user the app imports into. */
export interface ImportTarget {
  userId: string;
  email: string;
}

export async function importLegacyDatabase(store: AgentTalkStore, file: string, into?: ImportTarget): Promise<ImportReport> {
  return importLegacyData(store, file, await readLegacyDatabase(file), into);
}

/** The file's account a profile import takes: the one with the profile's email, or the only one. */
function accountFor(file: string, data: LegacyData, into: ImportTarget): LegacyRow<'users'> {
  const email = into.email.toLowerCase();
  const account = data.users.find((u) => String(u.email).toLowerCase() === email) ?? (data.users.length === 1 ? data.users[0] : undefined);
  if (account) return account;
  const emails = data.users.map((u) => String(u.email)).slice(0, 5).join(', ');
  throw new LegacyImportError('NO_ACCOUNT', `${file} has no account for ${into.email}${emails ? ` (it has ${emails})` : ''}`, { file });
}

/** Imports rows already read from `file` (so a caller can check the file before opening a store). */
export function importLegacyData(store: AgentTalkStore, file: string, data: LegacyData, into?: ImportTarget): Promise<ImportReport> {
  const account = into && accountFor(file, data, into);
  return store.transaction((tx) => {
    const report: ImportReport = { file, tables: {} as ImportReport['tables'], rejected: [], notes: [] };
    if (account) Object.assign(report, { account: String(account.email), otherAccounts: 0 });
    // LEGACY_TABLES lists parents before children, so a child's reference is checked against imported parents.
    for (const table of Object.keys(LEGACY_TABLES) as LegacyTable[]) {
      const counts = (report.tables[table] = { imported: 0, skipped: 0, rejected: 0 });
      if (account && (table === 'users' || table === 'subscriptions')) continue;
      for (const legacy of data[table] as LegacyRow<typeof table>[]) {
        const id = String(legacy.id);
        if (account && legacy.user_id !== account.id) {
          report.otherAccounts!++;
          continue;
        }
        const converted = convertRow(table, account ? { ...legacy, user_id: into!.userId } : legacy);
        if (!converted.ok) {
          counts.rejected++;
          report.rejected.push({ table, id, reason: converted.reason });
          continue;
        }
        if (tx.get(table, id)) {
          counts.skipped++;
          continue;
        }
        try {
          // The store checks every constraint before it writes anything, so a refused insert leaves no trace
          // and the transaction carries on. The row's values are the legacy file's, checked by the store.
          tx.insert(table, converted.row as never);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          counts.rejected++;
          report.rejected.push({ table, id, reason: error.message });
          continue;
        }
        counts.imported++;
        report.notes.push(...converted.notes.map((note) => ({ table, id, note })));
      }
    }
    return report;
  });
}
