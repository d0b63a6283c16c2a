/** Turning an insert or a patch into a complete, valid row: defaults, types, NOT NULL and CHECK. */
import { v4 as uuidv4 } from 'uuid';
import type { ColumnDef, TableDef } from '../../src-shared/schema';
import { StoreError, kindOf } from './errors';

export type Row = Record<string, unknown>;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function isJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).every((v) => isJson(v, depth + 1));
  }
  return false;
}

export function typeMatches(def: ColumnDef, value: unknown): boolean {
  switch (def.type) {
    case 'text':
      return typeof value === 'string';
    case 'timestamp':
      return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
    case 'integer':
      return Number.isSafeInteger(value);
    case 'real':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'json':
      return isJson(value);
  }
}

/** Checks that a non-null value has the column's type (what a query value must satisfy too). */
export function checkType(table: TableDef, column: string, value: unknown): void {
  const def = table.columns[column]!;
  if (!typeMatches(def, value)) {
    const expected = def.type === 'timestamp' ? 'an ISO 8601 UTC timestamp' : `a ${def.type} value`;
    throw new StoreError('INVALID_TYPE', `${table.name}.${column} must be ${expected}, got ${kindOf(value)}`, {
      table: table.name,
      column,
      valueKind: kindOf(value),
      expected: def.type,
    });
  }
}

/** Checks one column's value against its definition: NOT NULL, type, CHECK. `undefined` counts as null. */
export function checkValue(table: TableDef, column: string, value: unknown): void {
  const def = table.columns[column]!;
  if (value === null || value === undefined) {
    if (def.notNull) {
      throw new StoreError('NOT_NULL_VIOLATION', `${table.name}.${column} may not be null`, {
        table: table.name,
        column,
        valueKind: kindOf(value),
      });
    }
    return;
  }
  checkType(table, column, value);
  if (def.oneOf && !def.oneOf.includes(value as string | number)) {
    throw new StoreError('CHECK_VIOLATION', `${table.name}.${column} must be one of ${def.oneOf.join(', ')}`, {
      table: table.name,
      column,
      valueKind: kindOf(value),
      constraint: 'oneOf',
    });
  }
}

function assertKnownColumns(table: TableDef, doc: object): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new StoreError('INVALID_TYPE', `a ${table.name} row must be an object, got ${kindOf(doc)}`, {
      table: table.name,
      valueKind: kindOf(doc),
    });
  }
  for (const column of Object.keys(doc)) {
    if (!Object.hasOwn(table.columns, column)) {
      throw new StoreError('UNKNOWN_COLUMN', `${table.name} has no column "${column}"`, { table: table.name, column });
    }
  }
}

/** How a case-insensitive column's text is compared and indexed (see ColumnDef.caseInsensitive). */
export function foldCase(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** The value a column takes when an insert leaves it out. */
export function defaultValue(def: ColumnDef, now: string): unknown {
  if (def.generate === 'uuid') return uuidv4();
  if (def.default === 'now' && def.type === 'timestamp') return now;
  // A json default is an object the definition holds: each row gets its own copy, so no row shares it.
  return typeof def.default === 'object' && def.default !== null ? structuredClone(def.default) : (def.default ?? null);
}

/** A complete row from an insert document: every column present, defaults filled, every value checked. */
export function prepareInsert(table: TableDef, doc: Row, now: string): Row {
  assertKnownColumns(table, doc);
  const row: Row = {};
  for (const [column, def] of Object.entries(table.columns)) {
    const given = doc[column];
    row[column] = given === undefined ? defaultValue(def, now) : given;
    checkValue(table, column, row[column]);
  }
  return row;
}

/** The row after a patch: only known columns, the primary key unchanged, `touchOnUpdate` columns set to now. */
export function prepareUpdate(table: TableDef, current: Row, patch: Row, now: string): Row {
  assertKnownColumns(table, patch);
  const pk = table.primaryKey;
  if (patch[pk] !== undefined && patch[pk] !== current[pk]) {
    throw new StoreError('INVALID_QUERY', `${table.name}.${pk} is the primary key and cannot change`, {
      table: table.name,
      column: pk,
    });
  }
  const row: Row = { ...current };
  for (const column in patch) {
    const value = patch[column];
    if (value === undefined || !Object.hasOwn(patch, column)) continue;
    checkValue(table, column, value);
    row[column] = value;
  }
  for (const column of touchedOnUpdate(table)) if (patch[column] === undefined) row[column] = now;
  return row;
}

const touched = new WeakMap<TableDef, readonly string[]>();

/** The columns an update sets to its time when the patch leaves them out (found once per definition). */
function touchedOnUpdate(table: TableDef): readonly string[] {
  let columns = touched.get(table);
  if (!columns) {
    columns = Object.keys(table.columns).filter((column) => table.columns[column]!.touchOnUpdate);
    touched.set(table, columns);
  }
  return columns;
}
