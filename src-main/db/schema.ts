/**
 * A set of table definitions checked and compiled for the engine: every index (unique constraints are indexes
 * too) gets its LMDB database, and every foreign key is known from both ends.
 */
import type { Database, RootDatabase } from 'lmdb';
import type { Key } from './keys';
import type { ForeignKeyDef, IndexColumn, TableDef } from '../../src-shared/schema';
import { StoreError } from './errors';

/**
 * An index as the engine uses it: keys are `[...column values, primary key]`, values empty. LMDB scans it either
 * way, and queries order by one column, so a column's declared direction (`created_at desc`) is served by a
 * forward or a reverse scan alike.
 */
export interface IndexPath {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly IndexColumn[];
  readonly unique: boolean;
  readonly db: Database<Buffer, Key>;
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
  readonly referencedBy: Reference[];
}

export type Schema = ReadonlyMap<string, CompiledTable>;

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new StoreError('SCHEMA_ERROR', message, details);
}

function checkDefinition(def: TableDef, all: ReadonlyMap<string, TableDef>): void {
  const { name } = def;
  for (const column of Object.keys(def.columns)) {
    if (RESERVED.has(column)) fail(`${name}: "${column}" cannot be a column name`, { table: name, column });
    const col = def.columns[column]!;
    if (col.generate && col.type !== 'text') fail(`${name}.${column}: only text columns can be generated`);
  }
  const pk = def.columns[def.primaryKey];
  if (!pk || (pk.type !== 'text' && pk.type !== 'integer') || !pk.notNull) {
    fail(`${name}: primary key "${def.primaryKey}" must be a not-null text or integer column`, { table: name });
  }
  const names = new Set<string>();
  for (const spec of indexSpecs(def)) {
    if (names.has(spec.name)) fail(`${name}: index name ${spec.name} is used twice`, { table: name });
    names.add(spec.name);
    if (spec.columns.length === 0) fail(`${name}.${spec.name}: an index needs at least one column`);
    for (const { column } of spec.columns) {
      const col = def.columns[column];
      if (!col) fail(`${name}.${spec.name}: unknown column ${column}`, { table: name, column });
      if (col.type === 'json') fail(`${name}.${spec.name}: json column ${column} cannot be indexed`);
    }
  }
  for (const fk of def.foreignKeys ?? []) {
    const col = def.columns[fk.column];
    if (!col) fail(`${name}: foreign key on unknown column ${fk.column}`, { table: name, column: fk.column });
    if (!all.has(fk.references)) fail(`${name}.${fk.column} references unknown table ${fk.references}`);
    if (fk.onDelete === 'set null' && col.notNull) fail(`${name}.${fk.column} is not null, so it cannot be set null`);
  }
}

/** Unique constraints and indexes alike: both are kept as index databases. */
function indexSpecs(def: TableDef): { name: string; columns: readonly IndexColumn[]; unique: boolean }[] {
  return [
    ...(def.unique ?? []).map((u) => ({
      name: u.name,
      unique: true,
      columns: u.columns.map((column) => ({ column, order: 'asc' as const })),
    })),
    ...(def.indexes ?? []).map((i) => ({ name: i.name, unique: false, columns: i.columns })),
  ];
}

export const tableDbName = (table: string) => `table:${table}`;
export const indexDbName = (table: string, index: string) => `index:${table}.${index}`;

/** Checks the definitions and opens (creating where new) the LMDB databases they need. */
export function compileSchema(env: RootDatabase, defs: readonly TableDef[]): Schema {
  const byName = new Map(defs.map((d) => [d.name, d]));
  if (byName.size !== defs.length) fail('two tables share a name');
  defs.forEach((d) => checkDefinition(d, byName));

  const schema = new Map<string, CompiledTable>();
  for (const def of defs) {
    schema.set(def.name, {
      def,
      rows: env.openDB(tableDbName(def.name), { sharedStructuresKey: Symbol.for('structures'), cache: false }),
      indexes: indexSpecs(def).map((spec) => ({
        ...spec,
        table: def.name,
        db: env.openDB<Buffer, Key>(indexDbName(def.name, spec.name), { encoding: 'binary', cache: false }),
      })),
      referencedBy: [],
    });
  }
  for (const table of schema.values()) {
    for (const foreignKey of table.def.foreignKeys ?? []) {
      const path = table.indexes.find((i) => i.columns[0]!.column === foreignKey.column);
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
