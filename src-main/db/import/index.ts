/**
 * Imports the service's earlier SQLite database into a profile's store, in one transaction. Rows keep their ids:
 * a row already present is skipped, so importing a file twice adds nothing. A row the store refuses (a broken
 * constraint) is reported and left out, and everything else commits.
 *
 * Emails are one account whatever their case. Into a profile (`into`, the app's own import): only the rows of the
 * file's accounts with the profile's email (or of its only account) are imported, as the profile user's; the
 * account rows themselves and their subscriptions are not (the profile has its own, and the plan is the cloud's to
 * say). Other accounts' rows are counted in `otherAccounts`. Into a store (the command line): a file account whose
 * email the store already has under another id is merged into that account (its rows become that account's; its
 * subscription only if that account has none) and listed in `merged`, rather than refused with all its rows.
 */
import type { tables } from '../../../src-shared/schema';
import type { AgentTalkStore } from '../agent-talk';
import { StoreError } from '../errors';
import { foldCase } from '../rows';
import type { Transaction } from '../store';
import { convertRow, type ImportNote } from './convert';
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
  notes: ({ table: LegacyTable; id: string } & ImportNote)[];
  /** Accounts of the file merged into the store's account with the same email (counted as skipped users). */
  merged: { email: string; from: string; into: string }[];
}

/** The profile user the app imports into. */
export interface ImportTarget {
  userId: string;
  email: string;
}

export async function importLegacyDatabase(store: AgentTalkStore, file: string, into?: ImportTarget): Promise<ImportReport> {
  return importLegacyData(store, file, await readLegacyDatabase(file), into);
}

/** The file's accounts a profile import takes: those with the profile's email, whatever its case, or the only one. */
function accountsFor(file: string, data: LegacyData, into: ImportTarget): LegacyRow<'users'>[] {
  const email = foldCase(into.email);
  const accounts = data.users.filter((u) => foldCase(u.email) === email);
  if (accounts.length > 0) return accounts;
  if (data.users.length === 1) return data.users;
  const emails = data.users.map((u) => String(u.email)).slice(0, 5).join(', ');
  throw new LegacyImportError('NO_ACCOUNT', `${file} has no account for ${into.email}${emails ? ` (it has ${emails})` : ''}`, { file });
}

/** Imports rows already read from `file` (so a caller can check the file before opening a store). */
export function importLegacyData(store: AgentTalkStore, file: string, data: LegacyData, into?: ImportTarget): Promise<ImportReport> {
  const accounts = into && accountsFor(file, data, into);
  return store.transaction((tx) => {
    const report: ImportReport = { file, tables: {} as ImportReport['tables'], rejected: [], notes: [], merged: [] };
    if (accounts) Object.assign(report, { account: String(accounts[0]!.email), otherAccounts: 0 });
    // The store's account each file account's rows go to, where it is not the file's own id.
    const owners = new Map<unknown, string>(accounts?.map((a) => [a.id, into!.userId]));
    // LEGACY_TABLES lists parents before children, so a child's reference is checked against imported parents.
    for (const table of Object.keys(LEGACY_TABLES) as LegacyTable[]) {
      const counts = (report.tables[table] = { imported: 0, skipped: 0, rejected: 0 });
      if (into && (table === 'users' || table === 'subscriptions')) continue;
      for (const legacy of data[table] as LegacyRow<typeof table>[]) {
        const id = String(legacy.id);
        if (into && !owners.has(legacy.user_id)) {
          report.otherAccounts!++;
          continue;
        }
        const owner = table === 'users' ? undefined : owners.get(legacy.user_id);
        if (table === 'users' && !tx.get('users', id) && mergesInto(tx, legacy as LegacyRow<'users'>, owners, report)) {
          counts.skipped++;
          continue;
        }
        if (table === 'subscriptions' && owner !== undefined && tx.query('subscriptions', { user_id: owner })[0]) {
          counts.skipped++;
          continue;
        }
        const converted = convertRow(table, owner !== undefined ? { ...legacy, user_id: owner } : legacy);
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
        report.notes.push(...converted.notes.map((note) => ({ table, id, ...note })));
      }
    }
    return report;
  });
}

/** A file account whose email the store has under another id: its rows are to become that account's. */
function mergesInto(tx: Transaction<typeof tables>, user: LegacyRow<'users'>, owners: Map<unknown, string>, report: ImportReport): boolean {
  if (typeof user.email !== 'string') return false;
  const existing = tx.query('users', { email: user.email })[0];
  if (!existing) return false;
  owners.set(user.id, existing.id);
  report.merged.push({ email: user.email, from: String(user.id), into: existing.id });
  return true;
}
