/**
 * Writes inside one transaction. Every constraint is checked before anything is written, and any error thrown
 * aborts the whole transaction, so a failed write (alone or among others) changes nothing.
 */
import { StoreError, kindOf } from './errors';
import type { FeedWriter } from './changes';
import { indexKey, keyRange, lookupKey, primaryKeyOf, putEntry, putLookup, removeLookup, scanKeys, scanRows, type Key } from './keys';
import { countRows, explain, runQuery, type QueryOptions, type Where } from './query';
import { prepareInsert, prepareUpdate, type Row } from './rows';
import { tableOf, type CompiledTable, type IndexPath, type Reference, type Schema } from './schema';

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

const NO_OVERWRITE = { noOverwrite: true } as const;

/**
 * Writes a row only where its key is free (LMDB's MDB_NOOVERWRITE), in the current transaction, and says whether
 * it did (lmdb-js's putSync returns that, as its README says; its types say void).
 */
const putIfAbsent = (table: CompiledTable, id: string, row: Row): boolean => table.rows.putSync(id, row, NO_OVERWRITE) as unknown as boolean;

/** Adds `value` to the set kept under `key`, making the set on first use. */
function addTo<K>(sets: Map<K, Set<unknown>>, key: K, value: unknown): void {
  const set = sets.get(key);
  if (set) set.add(value);
  else sets.set(key, new Set([value]));
}

const sameValue = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

export class Writer extends Reader {
  /**
   * Rows this transaction found referenced and existing, per table (a compiled table: a migration that changes
   * the schema compiles new ones, so nothing found under an old definition is taken for the new).
   */
  private readonly found = new Map<CompiledTable, Set<unknown>>();
  /** Rows this transaction updated or deleted, per table name: `updateRow` reads these again. */
  private readonly rewritten = new Map<string, Set<unknown>>();

  constructor(
    schema: () => Schema,
    protected readonly feed: FeedWriter,
    protected readonly now: string,
  ) {
    super(schema);
  }

  insert(tableName: string, doc: Row): Row {
    const table = this.table(tableName);
    const { def, indexes } = table;
    const row = prepareInsert(def, doc, this.now);
    const id = row[def.primaryKey] as string;
    this.checkReferences(table, row);
    // Each index key is built once, checked, then written (loops: this runs for every row inserted).
    const keys: Key[] = [];
    for (const path of indexes) {
      const key = indexKey(path, row, id);
      if (path.unique) this.checkUnique(path, key, id);
      keys.push(key);
    }
    // The row first, written only where its primary key is free (one lookup checks and writes): when it is taken,
    // nothing of this insert has been written.
    if (!putIfAbsent(table, id, row)) {
      throw new StoreError('UNIQUE_VIOLATION', `${def.name}.${def.primaryKey}: a row with this primary key exists`, {
        table: def.name,
        column: def.primaryKey,
        constraint: 'primary key',
        valueKind: kindOf(id),
      });
    }
    for (let i = 0; i < indexes.length; i++) {
      const path = indexes[i]!;
      putEntry(path, keys[i]!, row);
      putLookup(path, keys[i]!, id);
    }
    this.feed.append(def.name, 'insert', id, row);
    return row;
  }

  update(tableName: string, id: string, patch: Row): Row {
    const table = this.table(tableName);
    const current = this.existing(table, id);
    const next = prepareUpdate(table.def, current, patch, this.now);
    return this.write(table, id, current, next);
  }

  /**
   * `update` of a row as this transaction read it (what `get` or `query` returned, unchanged): the same checks
   * and result, without reading the row again. A row this transaction has updated or deleted since is read
   * again, so an earlier read is never written back over a later write. A row read in another transaction must go
   * through `update`.
   */
  updateRow(tableName: string, row: Row, patch: Row): Row {
    const table = this.table(tableName);
    const { def } = table;
    const id = row !== null && typeof row === 'object' && !Array.isArray(row) ? row[def.primaryKey] : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new StoreError('INVALID_TYPE', `updateRow needs a ${def.name} row with its ${def.primaryKey}, got ${kindOf(row)}`, {
        table: def.name,
        valueKind: kindOf(row),
      });
    }
    const key = id as string;
    const current = this.wasRead(table, key) ? row : this.existing(table, key);
    const next = prepareUpdate(def, current, patch, this.now);
    return this.write(table, key, current, next);
  }

  /** Whether a row read earlier in this transaction is still the stored one: true unless written since. */
  protected wasRead(table: CompiledTable, id: string): boolean {
    return !this.rewritten.get(table.def.name)?.has(id);
  }

  delete(tableName: string, id: string): DeleteResult {
    const table = this.table(tableName);
    const result = { deleted: 0, nulled: 0 };
    this.deleteRows(table, [id], [this.existing(table, id)], result, new Map());
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
    addTo(this.rewritten, table.def.name, id);
    const changed: string[] = [];
    for (const column in next) if (!sameValue(current[column], next[column])) changed.push(column);
    this.checkReferences(table, next, changed);
    const moved: { path: IndexPath; before: Key; after: Key }[] = [];
    for (const path of table.indexes) {
      if (!path.columns.some(({ column }) => changed.includes(column))) continue;
      const after = indexKey(path, next, id);
      if (path.unique) this.checkUnique(path, after, id);
      moved.push({ path, before: indexKey(path, current, id), after });
    }
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
      const values: Row = {};
      for (const column of changed) values[column] = next[column];
      this.feed.append(table.def.name, 'update', id, values);
    }
    return next;
  }

  /**
   * Deletes rows of one table (`ids[i]` holding `rows[i]`), after what references them, as each foreign key's ON
   * DELETE says. The rows go together, a level of a cascade at a time: their children are found for all of them,
   * then one index after another loses their entries, then the table its rows (each B-tree's removals one after
   * another, where row by row they would take turns across every index of the table).
   */
  private deleteRows(table: CompiledTable, ids: string[], rows: Row[], result: DeleteResult, deleting: Map<CompiledTable, Set<unknown>>): void {
    for (const id of ids) {
      addTo(deleting, table, id);
      addTo(this.rewritten, table.def.name, id);
      this.found.get(table)?.delete(id);
    }
    for (const reference of table.referencedBy) {
      const { child, foreignKey } = reference;
      const childIds: string[] = [];
      const childRows: Row[] = [];
      for (const id of ids) this.referencing(reference, id, deleting.get(child), childIds, childRows);
      if (childIds.length === 0) continue;
      if (foreignKey.onDelete === 'restrict') {
        throw new StoreError(
          'FOREIGN_KEY_VIOLATION',
          `${table.def.name} row is still referenced by ${child.def.name}.${foreignKey.column}`,
          { table: table.def.name, column: foreignKey.column, constraint: `${child.def.name}.${foreignKey.column}` },
        );
      }
      if (foreignKey.onDelete === 'cascade') {
        this.deleteRows(child, childIds, childRows, result, deleting);
        continue;
      }
      for (let i = 0; i < childIds.length; i++) {
        this.write(child, childIds[i]!, childRows[i]!, { ...childRows[i]!, [foreignKey.column]: null });
        result.nulled++;
      }
    }
    for (const path of table.indexes) {
      for (let i = 0; i < ids.length; i++) {
        const key = indexKey(path, rows[i]!, ids[i]!);
        path.db.remove(key);
        removeLookup(path, key);
      }
    }
    for (const id of ids) table.rows.remove(id);
    for (const id of ids) this.feed.append(table.def.name, 'delete', id);
    result.deleted += ids.length;
  }

  /**
   * Adds to `ids` and `rows` the rows that reference `id` through `reference`, leaving out those in `skip`: from a
   * range of its index (the rows from the entries where the index holds them, else a get each), one get in a
   * unique lookup of the column alone, or a scan of the child table where the column has no index.
   */
  private referencing({ child, foreignKey, path }: Reference, id: string, skip: Set<unknown> | undefined, ids: string[], rows: Row[]): void {
    const add = (childId: string, row: Row | undefined) => {
      if (skip?.has(childId)) return;
      ids.push(childId);
      rows.push(row ?? child.rows.get(childId)!);
    };
    if (!path) {
      for (const { key, value } of child.rows.getRange()) if (value[foreignKey.column] === id) add(key, value);
    } else if (path.rowsOnly) {
      const pk = child.def.primaryKey;
      for (const { value } of scanRows(path, keyRange([id]))) add(value[pk] as string, value);
    } else if (path.lookup && path.columns.length === 1 && !path.folded) {
      const childId = path.lookup.get([id]);
      if (childId !== undefined) add(childId as string, undefined);
    } else {
      for (const key of scanKeys(path, keyRange([id]))) add(primaryKeyOf(key), undefined);
    }
  }

  /**
   * Checks that the rows `row` references exist: all its foreign keys, or those of `columns` (the ones a write
   * changed). A parent found once is remembered for the rest of the transaction (until this writer deletes it), so
   * a batch of rows of one user reads the user once.
   */
  protected checkReferences(table: CompiledTable, row: Row, columns?: readonly string[]): void {
    const foreignKeys = table.def.foreignKeys;
    if (!foreignKeys) return;
    for (const fk of foreignKeys) {
      const value = row[fk.column];
      if (value === null || value === undefined || (columns && !columns.includes(fk.column))) continue;
      const parent = this.table(fk.references);
      if (this.found.get(parent)?.has(value)) continue;
      if (!parent.rows.doesExist(value as string)) {
        throw new StoreError(
          'FOREIGN_KEY_VIOLATION',
          `${table.def.name}.${fk.column} references a ${fk.references} row that does not exist`,
          { table: table.def.name, column: fk.column, constraint: `${fk.references}`, valueKind: kindOf(value) },
        );
      }
      addTo(this.found, parent, value);
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
