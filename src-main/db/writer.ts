/**
 * Writes inside one transaction. Every constraint is checked before anything is written, and any error thrown
 * aborts the whole transaction, so a failed write (alone or among others) changes nothing.
 */
import { StoreError, kindOf } from './errors';
import type { FeedWriter } from './changes';
import { indexKey, keyRange, lookupKey, primaryKeyOf, putEntry, putLookup, removeLookup, scanKeys, type Key } from './keys';
import { countRows, explain, runQuery, type QueryOptions, type Where } from './query';
import { prepareInsert, prepareUpdate, type Row } from './rows';
import { tableOf, type CompiledTable, type IndexPath, type Schema } from './schema';

export interface DeleteResult {
  /** Rows deleted: the row itself and every row removed by ON DELETE CASCADE below it. */
  deleted: number;
  /** Rows whose reference was set to null by ON DELETE SET NULL. */
  nulled: number;
}

/** Synchronous reads; inside a transaction they see the transaction's own writes. */
export class Reader {
  constructor(protected readonly schema: () => Schema) {}

  protected table(name: string): CompiledTable {
    return tableOf(this.schema(), name);
  }

  get(table: string, id: string): Row | undefined {
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    return this.table(table).rows.get(id);
  }

  query(table: string, where: Where = {}, options: QueryOptions = {}): Row[] {
    return runQuery(this.table(table), where, options);
  }

  list(table: string, options: QueryOptions = {}): Row[] {
    return runQuery(this.table(table), {}, options);
  }

  count(table: string, where: Where = {}): number {
    return countRows(this.table(table), where);
  }

  explain(table: string, where: Where = {}, options: QueryOptions = {}) {
    return explain(this.table(table), where, options);
  }
}

const sameValue = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

export class Writer extends Reader {
  constructor(
    schema: () => Schema,
    protected readonly feed: FeedWriter,
    protected readonly now: string,
  ) {
    super(schema);
  }

  insert(tableName: string, doc: Row): Row {
    const table = this.table(tableName);
    const { def } = table;
    const row = prepareInsert(def, doc, this.now);
    const id = row[def.primaryKey] as string;
    if (table.rows.doesExist(id)) {
      throw new StoreError('UNIQUE_VIOLATION', `${def.name}.${def.primaryKey}: a row with this primary key exists`, {
        table: def.name,
        column: def.primaryKey,
        constraint: 'primary key',
        valueKind: kindOf(id),
      });
    }
    this.checkReferences(table, row, Object.keys(def.columns));
    const keys = table.indexes.map((path) => indexKey(path, row, id));
    table.indexes.forEach((path, i) => path.unique && this.checkUnique(path, keys[i]!, id));
    table.rows.put(id, row);
    table.indexes.forEach((path, i) => {
      putEntry(path, keys[i]!, row);
      putLookup(path, keys[i]!, id);
    });
    this.feed.append(def.name, 'insert', id, row);
    return row;
  }

  update(tableName: string, id: string, patch: Row): Row {
    const table = this.table(tableName);
    const current = this.existing(table, id);
    const next = prepareUpdate(table.def, current, patch, this.now);
    return this.write(table, id, current, next);
  }

  delete(tableName: string, id: string): DeleteResult {
    const table = this.table(tableName);
    const result = { deleted: 0, nulled: 0 };
    this.deleteRow(table, id, this.existing(table, id), result, new Set());
    return result;
  }

  private existing(table: CompiledTable, id: string): Row {
    const row = typeof id === 'string' || typeof id === 'number' ? table.rows.get(id) : undefined;
    if (!row) {
      throw new StoreError('NOT_FOUND', `${table.def.name} has no row with ${table.def.primaryKey} ${String(id)}`, {
        table: table.def.name,
        valueKind: kindOf(id),
      });
    }
    return row;
  }

  /** Writes `next` over `current`, moving index entries of the columns that changed. */
  private write(table: CompiledTable, id: string, current: Row, next: Row): Row {
    const changed = Object.keys(next).filter((c) => !sameValue(current[c], next[c]));
    this.checkReferences(table, next, changed);
    const moved = table.indexes
      .filter((path) => path.columns.some(({ column }) => changed.includes(column)))
      .map((path) => ({ path, before: indexKey(path, current, id), after: indexKey(path, next, id) }));
    moved.forEach(({ path, after }) => path.unique && this.checkUnique(path, after, id));
    table.rows.put(id, next);
    for (const { path, before, after } of moved) {
      path.db.remove(before);
      removeLookup(path, before);
      putEntry(path, after, next);
      putLookup(path, after, id);
    }
    // An index holding its rows gets the new row also where its key stays.
    for (const path of table.withRows) {
      if (changed.length > 0 && !moved.some((m) => m.path === path)) putEntry(path, indexKey(path, next, id), next);
    }
    if (changed.length > 0) {
      this.feed.append(table.def.name, 'update', id, Object.fromEntries(changed.map((c) => [c, next[c]])));
    }
    return next;
  }

  private deleteRow(table: CompiledTable, id: string, row: Row, result: DeleteResult, deleting: Set<string>): void {
    deleting.add(`${table.def.name}\0${id}`);
    for (const { child, foreignKey, path } of table.referencedBy) {
      const childIds = path
        ? [...scanKeys(path, keyRange([id]))].map(primaryKeyOf)
        : [...child.rows.getRange()].filter(({ value }) => value[foreignKey.column] === id).map(({ key }) => key);
      if (childIds.length === 0) continue;
      if (foreignKey.onDelete === 'restrict') {
        throw new StoreError(
          'FOREIGN_KEY_VIOLATION',
          `${table.def.name} row is still referenced by ${child.def.name}.${foreignKey.column}`,
          { table: table.def.name, column: foreignKey.column, constraint: `${child.def.name}.${foreignKey.column}` },
        );
      }
      for (const childId of childIds) {
        if (deleting.has(`${child.def.name}\0${childId}`)) continue;
        const childRow = child.rows.get(childId)!;
        if (foreignKey.onDelete === 'cascade') {
          this.deleteRow(child, childId, childRow, result, deleting);
        } else {
          this.write(child, childId, childRow, { ...childRow, [foreignKey.column]: null });
          result.nulled++;
        }
      }
    }
    for (const path of table.indexes) {
      const key = indexKey(path, row, id);
      path.db.remove(key);
      removeLookup(path, key);
    }
    table.rows.remove(id);
    this.feed.append(table.def.name, 'delete', id);
    result.deleted++;
  }

  protected checkReferences(table: CompiledTable, row: Row, columns: readonly string[]): void {
    for (const fk of table.def.foreignKeys ?? []) {
      const value = row[fk.column];
      if (value === null || value === undefined || !columns.includes(fk.column)) continue;
      if (!this.table(fk.references).rows.doesExist(value as string)) {
        throw new StoreError(
          'FOREIGN_KEY_VIOLATION',
          `${table.def.name}.${fk.column} references a ${fk.references} row that does not exist`,
          { table: table.def.name, column: fk.column, constraint: `${fk.references}`, valueKind: kindOf(value) },
        );
      }
    }
  }

  protected checkUnique(path: IndexPath, key: Key, id: string): void {
    const values = lookupKey(key);
    if (!values) return; // as in SQL, nulls never collide
    const holders = path.lookup ? [path.lookup.get(values)] : [...scanKeys(path, keyRange(values), { limit: 2 })].map(primaryKeyOf);
    for (const existing of holders) {
      if (existing !== undefined && existing !== id) {
        const columns = path.columns.map((c) => c.column);
        throw new StoreError(
          'UNIQUE_VIOLATION',
          `${path.table}.${columns.join(', ')}: unique constraint ${path.name} violated by a ${values.map(kindOf).join(', ')} value already present`,
          { table: path.table, columns, constraint: path.name, valueKind: values.map(kindOf).join(', ') },
        );
      }
    }
  }
}
