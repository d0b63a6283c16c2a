/**
 * A set of table definitions checked and compiled for the engine: every index (unique constraints are indexes
 * too) gets its LMDB database, and every foreign key is known from both ends.
 */
import type { Database, RootDatabase } from 'lmdb';
import { encoder as keyEncoder } from 'ordered-binary';
import type { Key } from './keys';
import { COLUMN_TYPES, ON_DELETE, type ForeignKeyDef, type IndexColumn, type TableDef } from '../../src-shared/schema';
import { StoreError } from './errors';
import { checkValue, typeMatches } from './rows';

/**
 * An index as the engine uses it: keys are `[...column values, primary key]` (case-insensitive columns' text
 * folded), values empty, or the row itself in an index declared `withRows`. Keys are stored in ascending order
 * whatever the declared direction: LMDB scans them either way, and an order that mixes directions walks the index
 * one value at a time (see query.ts).
 */
export interface IndexPath {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly IndexColumn[];
  readonly unique: boolean;
  /** Positions of the case-insensitive columns, whose text the key holds folded; undefined when none. */
  readonly folded: readonly number[] | undefined;
  /** Values: empty, or with `withRows` the row, encoded as the table's rows are (the same encoder). */
  readonly db: Database<Buffer | Record<string, unknown>, Key>;
  /** Whether each entry holds its row (see IndexDef.withRows). */
  readonly withRows: boolean;
  /**
   * With `withRows`, the same database read for its rows alone: a range of it gives the entries' rows without
   * decoding their keys (which a read of rows does not need, and which costs as much as the rest of the read).
   */
  readonly rowsOnly: Database<Record<string, unknown>, Key> | undefined;
  /**
   * A unique index's values → the row's primary key (from migration 14 on): one get finds the row, where the index
   * itself needs a range scan. Rows with a null among the values are not in it (nulls never collide).
   */
  readonly lookup: Database<string | number, Key> | undefined;
}

/**
 * A foreign key seen from the referenced table: which rows point here, and the index that finds them. As in
 * SQLite, a child column without an index still works, but deleting a parent then scans the child table.
 */
export interface Reference {
  readonly child: CompiledTable;
  readonly foreignKey: ForeignKeyDef;
  readonly path: IndexPath | undefined;
}

export interface CompiledTable {
  readonly def: TableDef;
  readonly rows: Database<Record<string, unknown>, string>;
  readonly indexes: readonly IndexPath[];
  /** The indexes whose entries hold their rows: every write of a row writes them. */
  readonly withRows: readonly IndexPath[];
  /** The indexes with a lookup (values → id), for the query that sets all of one's columns. */
  readonly lookups: readonly IndexPath[];
  readonly referencedBy: Reference[];
  /** The case-insensitive columns. */
  readonly folded: ReadonlySet<string>;
}

export type Schema = ReadonlyMap<string, CompiledTable>;

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new StoreError('SCHEMA_ERROR', message, details);
}

const list = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** One column's definition: its type, and that its default and allowed values are values it can hold. */
function checkColumn(def: TableDef, column: string): void {
  const { name } = def;
  const at = { table: name, column };
  if (RESERVED.has(column)) fail(`${name}: "${column}" cannot be a column name`, at);
  const col = def.columns[column]!;
  if (!COLUMN_TYPES.includes(col.type)) fail(`${name}.${column}: unknown type ${JSON.stringify(col.type)} (one of ${list(COLUMN_TYPES)})`, at);
  if (col.generate !== undefined && (col.generate !== 'uuid' || col.type !== 'text')) fail(`${name}.${column}: only text columns can be generated, as 'uuid'`, at);
  if (col.caseInsensitive && col.type !== 'text') fail(`${name}.${column}: only a text column can be case-insensitive`, at);
  if (col.touchOnUpdate && col.type !== 'timestamp') fail(`${name}.${column}: only a timestamp column can be touched on update`, at);
  for (const value of col.oneOf ?? []) {
    if (value === null || !typeMatches(col, value)) fail(`${name}.${column}: allowed value ${JSON.stringify(value)} is not a ${col.type}`, at);
  }
  if (col.default === undefined || (col.default === 'now' && col.type === 'timestamp')) return;
  try {
    checkValue(def, column, col.default);
  } catch (error) {
    fail(`${name}.${column}: its default ${JSON.stringify(col.default)} is not a value of the column (${(error as Error).message})`, at);
  }
}

/** The whole definition of one table, against the others (`all`, in the order they are created). */
function checkDefinition(def: TableDef, all: ReadonlyMap<string, TableDef>): void {
  const { name } = def;
  if (typeof def.columns !== 'object' || def.columns === null) fail(`${name}: columns must be an object`, { table: name });
  for (const column of Object.keys(def.columns)) checkColumn(def, column);
  const pk = def.columns[def.primaryKey];
  if (!pk || (pk.type !== 'text' && pk.type !== 'integer') || !pk.notNull) {
    fail(`${name}: primary key "${def.primaryKey}" must be a not-null text or integer column`, { table: name, column: def.primaryKey });
  }
  const names = new Set<string>();
  for (const spec of indexSpecs(def)) {
    if (names.has(spec.name)) fail(`${name}: index name ${spec.name} is used twice`, { table: name, constraint: spec.name });
    names.add(spec.name);
    if (spec.columns.length === 0) fail(`${name}.${spec.name}: an index needs at least one column`, { table: name, constraint: spec.name });
    for (const { column, order } of spec.columns) {
      const at = { table: name, column, constraint: spec.name };
      const col = Object.hasOwn(def.columns, column) ? def.columns[column] : undefined;
      if (!col) fail(`${name}.${spec.name}: unknown column ${column}`, at);
      if (col.type === 'json') fail(`${name}.${spec.name}: json column ${column} cannot be indexed`, at);
      if (order !== 'asc' && order !== 'desc') fail(`${name}.${spec.name}: ${column} has direction ${JSON.stringify(order)} (asc or desc)`, at);
    }
    if (spec.withRows !== undefined && typeof spec.withRows !== 'boolean') {
      fail(`${name}.${spec.name}: withRows must be true or false, got ${JSON.stringify(spec.withRows)}`, { table: name, constraint: spec.name });
    }
  }
  const order = [...all.keys()];
  for (const fk of def.foreignKeys ?? []) {
    const at = { table: name, column: fk.column };
    const col = Object.hasOwn(def.columns, fk.column) ? def.columns[fk.column] : undefined;
    if (!col) fail(`${name}: foreign key on unknown column ${fk.column}`, at);
    if (!ON_DELETE.includes(fk.onDelete)) {
      fail(`${name}.${fk.column}: unknown onDelete ${JSON.stringify(fk.onDelete)} (one of ${list(ON_DELETE)})`, at);
    }
    if (!all.has(fk.references)) {
      fail(`${name}.${fk.column} references unknown table ${fk.references} (a table is created after the tables it references)`, at);
    }
    if (order.indexOf(fk.references) > order.indexOf(name)) {
      fail(`${name}.${fk.column} references ${fk.references}, which is listed after ${name}: list a parent table before its children`, at);
    }
    if (fk.onDelete === 'set null' && col.notNull) fail(`${name}.${fk.column} is not null, so it cannot be set null`, at);
  }
}

/**
 * Checks a whole set of table definitions (parents listed before their children), with errors naming the table
 * and column: what the store opens with is checked before anything is written.
 */
export function checkDefinitions(defs: readonly TableDef[]): void {
  const byName = new Map(defs.map((d) => [d.name, d]));
  if (byName.size !== defs.length) fail('two tables share a name');
  defs.forEach((d) => checkDefinition(d, byName));
}

/** Unique constraints and indexes alike: both are kept as index databases. */
function indexSpecs(def: TableDef): { name: string; columns: readonly IndexColumn[]; unique: boolean; withRows?: unknown }[] {
  return [
    ...(def.unique ?? []).map((u) => ({
      name: u.name,
      unique: true,
      columns: u.columns.map((column) => ({ column, order: 'asc' as const })),
    })),
    ...(def.indexes ?? []).map((i) => ({ name: i.name, unique: false, columns: i.columns, withRows: i.withRows })),
  ];
}

export const tableDbName = (table: string) => `table:${table}`;
export const indexDbName = (table: string, index: string) => `index:${table}.${index}`;
export const lookupDbName = (table: string, index: string) => `lookup:${table}.${index}`;

/** Keys read back as nothing: for ranges read for their values alone. */
const valuesOnlyKeys = { writeKey: keyEncoder.writeKey, readKey: () => null, enableNullTermination: keyEncoder.enableNullTermination };

/**
 * An index whose values are rows: encoded with the rows' own encoder (msgpack with the table's shared structures,
 * kept in the rows' database), so an entry's value decodes exactly as the row does. With `rowsOnly`, a handle on
 * the same database whose ranges skip decoding keys (lmdb-js's documented `keyEncoder`; keys are written the same).
 */
function openWithRows(env: RootDatabase, name: string, rows: Database<Record<string, unknown>, string>, rowsOnly = false) {
  const { encoder } = rows as unknown as { encoder: unknown };
  // lmdb-js takes `encoder` and `keyEncoder` on openDB as on open (its README); its types list them on open only.
  const options = { encoder, cache: false, ...(rowsOnly && { keyEncoder: valuesOnlyKeys }) } as Parameters<RootDatabase['openDB']>[1];
  return env.openDB<Record<string, unknown>, Key>(name, options);
}

/**
 * Checks the definitions and opens (creating where new) the LMDB databases they need; with `lookups`, a
 * value → primary key database per unique index as well.
 */
export function compileSchema(env: RootDatabase, defs: readonly TableDef[], lookups = false): Schema {
  checkDefinitions(defs);
  const schema = new Map<string, CompiledTable>();
  for (const def of defs) {
    const folded = new Set(Object.keys(def.columns).filter((column) => def.columns[column]!.caseInsensitive));
    const rows = env.openDB<Record<string, unknown>, string>(tableDbName(def.name), { sharedStructuresKey: Symbol.for('structures'), cache: false });
    const indexes: IndexPath[] = indexSpecs(def).map(({ withRows = false, ...spec }) => {
      const positions = spec.columns.flatMap(({ column }, i) => (folded.has(column) ? [i] : []));
      const name = indexDbName(def.name, spec.name);
      return {
        ...spec,
        table: def.name,
        folded: positions.length > 0 ? positions : undefined,
        db: withRows === true ? openWithRows(env, name, rows) : env.openDB<Buffer, Key>(name, { encoding: 'binary', cache: false }),
        withRows: withRows === true,
        rowsOnly: withRows === true ? openWithRows(env, name, rows, true) : undefined,
        lookup: lookups && spec.unique ? env.openDB<string | number, Key>(lookupDbName(def.name, spec.name), { cache: false }) : undefined,
      };
    });
    schema.set(def.name, {
      def,
      rows,
      indexes,
      withRows: indexes.filter((path) => path.withRows),
      lookups: indexes.filter((path) => path.lookup),
      referencedBy: [],
      folded,
    });
  }
  for (const table of schema.values()) {
    for (const foreignKey of table.def.foreignKeys ?? []) {
      // An index that holds its rows is preferred: a delete then reads the children from its entries.
      const leading = table.indexes.filter((i) => i.columns[0]!.column === foreignKey.column);
      const path = leading.find((i) => i.withRows) ?? leading[0];
      schema.get(foreignKey.references)!.referencedBy.push({ child: table, foreignKey, path });
    }
  }
  for (const table of schema.values()) table.referencedBy.splice(0, Infinity, ...cascadeOrder(table.referencedBy));
  return schema;
}

/**
 * The order a delete visits a row's children in: a child table that references a sibling comes before that
 * sibling, so a row removed by one cascade is not first set null by another (memos go with the user before the
 * user's keys would set their api_key_id null).
 */
function cascadeOrder(references: readonly Reference[]): Reference[] {
  const remaining = [...references];
  const ordered: Reference[] = [];
  while (remaining.length > 0) {
    const referencedBySibling = (r: Reference) =>
      remaining.some((o) => o !== r && (o.child.def.foreignKeys ?? []).some((fk) => fk.references === r.child.def.name));
    const next = remaining.findIndex((r) => !referencedBySibling(r));
    ordered.push(...remaining.splice(Math.max(next, 0), 1));
  }
  return ordered;
}

export function tableOf(schema: Schema, name: string): CompiledTable {
  const table = typeof name === 'string' ? schema.get(name) : undefined;
  if (!table) throw new StoreError('UNKNOWN_TABLE', `there is no table "${String(name)}"`, { table: String(name) });
  return table;
}
