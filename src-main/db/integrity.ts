/**
 * A full check of a store's invariants, like SQLite's integrity_check and foreign_key_check together: every row
 * valid for its table, every index holding exactly one entry per row, unique indexes without duplicates, every
 * reference pointing at a row. Slow on purpose (it reads everything); for tests and the command line.
 */
import { StoreError } from './errors';
import { indexKey, primaryKeyOf } from './keys';
import { checkValue } from './rows';
import type { Schema } from './schema';

export function checkIntegrity(schema: Schema): string[] {
  const problems: string[] = [];
  for (const table of schema.values()) {
    const { def } = table;
    const expected = new Map(table.indexes.map((path) => [path.name, new Set<string>()]));
    for (const { key: id, value: row } of table.rows.getRange()) {
      if (row[def.primaryKey] !== id) problems.push(`${def.name} ${id}: stored under another primary key`);
      for (const column of Object.keys(def.columns)) {
        try {
          checkValue(def, column, row[column]);
        } catch (error) {
          problems.push(`${def.name} ${id}: ${(error as StoreError).message}`);
        }
      }
      for (const fk of def.foreignKeys ?? []) {
        const parent = row[fk.column];
        if (parent != null && !schema.get(fk.references)!.rows.doesExist(parent as string)) {
          problems.push(`${def.name} ${id}: ${fk.column} points at a missing ${fk.references} row`);
        }
      }
      for (const path of table.indexes) {
        const key = indexKey(path, row, id);
        if (!path.db.doesExist(key)) problems.push(`${def.name} ${id}: missing from index ${path.name}`);
        expected.get(path.name)!.add(JSON.stringify(key));
      }
    }
    for (const path of table.indexes) {
      const seen = new Set<string>();
      for (const key of path.db.getKeys()) {
        if (!expected.get(path.name)!.has(JSON.stringify(key))) {
          problems.push(`${def.name}: index ${path.name} has an entry for no row (${primaryKeyOf(key)})`);
        }
        const values = JSON.stringify(key.slice(0, -1));
        if (path.unique && !key.slice(0, -1).includes(null as never) && seen.has(values)) {
          problems.push(`${def.name}: unique index ${path.name} holds a duplicate`);
        }
        seen.add(values);
      }
    }
  }
  return problems;
}
