/**
 * Imports the service's earlier SQLite database into a profile's store, in one transaction. Rows keep their ids:
 * a row already present is skipped, so importing a file twice adds nothing. A row the store refuses (a broken
 * constraint) is reported and left out, and everything else commits.
 */
import type { AgentTalkStore } from '../agent-talk';
import { StoreError } from '../errors';
import { convertRow } from './convert';
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
  tables: Record<LegacyTable, TableCounts>;
  rejected: { table: LegacyTable; id: string; reason: string }[];
  /** Rows imported with a value changed on the way (see convert.ts). */
  notes: { table: LegacyTable; id: string; note: string }[];
}

export async function importLegacyDatabase(store: AgentTalkStore, file: string): Promise<ImportReport> {
  return importLegacyData(store, file, await readLegacyDatabase(file));
}

/** Imports rows already read from `file` (so a caller can check the file before opening a store). */
export function importLegacyData(store: AgentTalkStore, file: string, data: LegacyData): Promise<ImportReport> {
  return store.transaction((tx) => {
    const report: ImportReport = { file, tables: {} as ImportReport['tables'], rejected: [], notes: [] };
    // LEGACY_TABLES lists parents before children, so a child's reference is checked against imported parents.
    for (const table of Object.keys(LEGACY_TABLES) as LegacyTable[]) {
      const counts = (report.tables[table] = { imported: 0, skipped: 0, rejected: 0 });
      for (const legacy of data[table] as LegacyRow<typeof table>[]) {
        const id = String(legacy.id);
        const converted = convertRow(table, legacy);
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
