/**
 * A check of a store's invariants, like SQLite's integrity_check and foreign_key_check together: every row
 * valid for its table, every index holding exactly one entry per row (the row itself, in an index that holds its
 * rows), unique indexes without duplicates, every
 * reference pointing at a row. Without a limit it reads everything (Settings' "Check now", tests, the command
 * line); with one, as at every open, it reads at most that many rows and index entries per table and index.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RootDatabase } from 'lmdb';
import { indexKey, lookupKey, primaryKeyOf, putEntry, putLookup, type Key } from './keys';
import { checkValue } from './rows';
import { indexDbName, lookupDbName, type CompiledTable, type IndexPath, type Schema } from './schema';

export interface IntegrityReport {
  problems: string[];
  /** Every row read back and valid, and only indexes wrong: rebuilding the indexes from the rows repairs it. */
  indexesOnly: boolean;
  /** False when the check stopped at its limit before reading everything. */
  complete: boolean;
}

interface Found {
  message: string;
  /** Whether the rows themselves are wrong (and rebuilding indexes cannot help). */
  inRows: boolean;
}

const sameKey = (a: Key, b: Key) => JSON.stringify(a) === JSON.stringify(b);

function checkRows(schema: Schema, table: CompiledTable, limit: number, found: Found[]): boolean {
  const { def } = table;
  let read = 0;
  for (const { key: id, value: row } of table.rows.getRange({ limit })) {
    read++;
    if (row[def.primaryKey] !== id) found.push({ message: `${def.name} ${id}: stored under another primary key`, inRows: true });
    for (const column of Object.keys(def.columns)) {
      try {
        checkValue(def, column, row[column]);
      } catch (error) {
        found.push({ message: `${def.name} ${id}: ${(error as Error).message}`, inRows: true });
      }
    }
    for (const fk of def.foreignKeys ?? []) {
      const parent = row[fk.column];
      if (parent != null && !schema.get(fk.references)!.rows.doesExist(parent as string)) {
        found.push({ message: `${def.name} ${id}: ${fk.column} points at a missing ${fk.references} row`, inRows: true });
      }
    }
    for (const path of table.indexes) {
      const key = indexKey(path, row, id);
      if (!path.db.doesExist(key)) found.push({ message: `${def.name} ${id}: missing from index ${path.name}`, inRows: false });
      else if (path.withRows && !isDeepStrictEqual(path.db.get(key), row)) {
        found.push({ message: `${def.name} ${id}: index ${path.name} holds another version of the row`, inRows: false });
      }
      const values = path.lookup && lookupKey(key);
      if (values && path.lookup!.get(values) !== id) {
        found.push({ message: `${def.name} ${id}: missing from the lookup of index ${path.name}`, inRows: false });
      }
    }
  }
  return read < limit;
}

function checkIndexes(table: CompiledTable, limit: number, found: Found[]): boolean {
  const { def } = table;
  let complete = true;
  for (const path of table.indexes) {
    let previous: Key | undefined;
    let read = 0;
    // Keys come sorted, so a duplicate of a unique index's values sits right after the first one.
    for (const key of path.db.getKeys({ limit })) {
      read++;
      const id = primaryKeyOf(key);
      const row = typeof id === 'string' || typeof id === 'number' ? table.rows.get(id as string) : undefined;
      if (!row || !sameKey(indexKey(path, row, id), key)) {
        found.push({ message: `${def.name}: index ${path.name} has an entry for no row (${id})`, inRows: false });
      }
      const values = key.slice(0, -1);
      if (path.unique && previous && !values.includes(null as never) && sameKey(values, previous)) {
        found.push({ message: `${def.name}: unique index ${path.name} holds a duplicate`, inRows: false });
      }
      previous = values;
    }
    complete &&= read < limit;
    if (path.lookup) complete = checkLookup(table, path, limit, found) && complete;
  }
  return complete;
}

/** Every entry of a unique index's lookup names a row with those values. */
function checkLookup(table: CompiledTable, path: IndexPath, limit: number, found: Found[]): boolean {
  let read = 0;
  for (const { key, value: id } of path.lookup!.getRange({ limit })) {
    read++;
    // ordered-binary reads a one-value array key back as the value alone.
    const values = Array.isArray(key) ? key : [key];
    const row = typeof id === 'string' || typeof id === 'number' ? table.rows.get(id as string) : undefined;
    if (!row || !sameKey(lookupKey(indexKey(path, row, id as string)) ?? [], values)) {
      found.push({ message: `${table.def.name}: the lookup of index ${path.name} has an entry for no row (${String(id)})`, inRows: false });
    }
  }
  return read < limit;
}

export function checkIntegrity(schema: Schema, { limit = Infinity }: { limit?: number } = {}): IntegrityReport {
  const found: Found[] = [];
  let complete = true;
  for (const table of schema.values()) {
    try {
      complete = checkRows(schema, table, limit, found) && complete;
      complete = checkIndexes(table, limit, found) && complete;
    } catch (error) {
      // A damaged page can make a value undecodable: the table cannot be read to its end.
      found.push({ message: `${table.def.name}: cannot be read (${(error as Error).message})`, inRows: true });
    }
  }
  return { problems: found.map((f) => f.message), indexesOnly: found.length > 0 && !found.some((f) => f.inRows), complete };
}

/**
 * Writes every index (and unique lookup) of every table anew from the rows (inside the caller's write transaction).
 * Each index is emptied whole, its pages freed, rather than key by key: a damaged key can sit out of order in its
 * page, where a removal (a binary search) never finds it and the entries written after it land out of place too.
 */
export function rebuildIndexes(env: RootDatabase, schema: Schema): void {
  for (const table of schema.values()) {
    for (const path of table.indexes) {
      const names = [indexDbName(path.table, path.name), ...(path.lookup ? [lookupDbName(path.table, path.name)] : [])];
      // A binary handle of its own: clearing resets its handle's encoder, which an index holding rows shares with them.
      for (const name of names) env.openDB(name, { encoding: 'binary', cache: false }).clearSync();
    }
    for (const { key: id, value: row } of table.rows.getRange()) {
      for (const path of table.indexes) {
        const key = indexKey(path, row, id);
        putEntry(path, key, row);
        putLookup(path, key, id);
      }
    }
  }
}
