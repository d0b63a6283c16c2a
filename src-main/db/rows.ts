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

/** Each column type's test of a non-null value. */
const TYPE_TESTS = new Map<string, (value: unknown) => boolean>([
  ['text', (value) => typeof value === 'string'],
  ['timestamp', (value) => typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))],
  ['integer', (value) => Number.isSafeInteger(value)],
  ['real', (value) => typeof value === 'number' && Number.isFinite(value)],
  ['boolean', (value) => typeof value === 'boolean'],
  ['json', (value) => isJson(value)],
]);

const NO_TYPE = () => false;

export function typeMatches(def: ColumnDef, value: unknown): boolean {
  return (TYPE_TESTS.get(def.type) ?? NO_TYPE)(value);
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

/**
 * A table's columns as the writes check them, prepared once per definition: each column's test of NOT NULL, type
 * and CHECK in one call, true when the value passes (the error itself is left to checkValue, on a failure only).
 */
interface ColumnPlan {
  readonly name: string;
  readonly def: ColumnDef;
  readonly valid: (value: unknown) => boolean;
}

interface TablePlan {
  readonly columns: readonly ColumnPlan[];
  readonly byName: ReadonlyMap<string, ColumnPlan>;
  /** The columns an update sets to its time when the patch leaves them out. */
  readonly touched: readonly string[];
}

function validator(def: ColumnDef): (value: unknown) => boolean {
  const nullable = !def.notNull;
  const type = TYPE_TESTS.get(def.type) ?? NO_TYPE;
  if (!def.oneOf) return (value) => (value === null || value === undefined ? nullable : type(value));
  const allowed = new Set<unknown>(def.oneOf);
  return (value) => (value === null || value === undefined ? nullable : type(value) && allowed.has(value));
}

const plans = new WeakMap<TableDef, TablePlan>();

function planOf(table: TableDef): TablePlan {
  let plan = plans.get(table);
  if (!plan) {
    const columns = Object.entries(table.columns).map(([name, def]) => ({ name, def, valid: validator(def) }));
    plan = {
      columns,
      byName: new Map(columns.map((column) => [column.name, column])),
      touched: columns.filter((column) => column.def.touchOnUpdate).map((column) => column.name),
    };
    plans.set(table, plan);
  }
  return plan;
}

/** Refuses a document that is not an object, or that names a column the table does not have. */
function assertKnownColumns(table: TableDef, doc: object, plan: TablePlan): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new StoreError('INVALID_TYPE', `a ${table.name} row must be an object, got ${kindOf(doc)}`, {
      table: table.name,
      valueKind: kindOf(doc),
    });
  }
  for (const column in doc) {
    if (!plan.byName.has(column) && Object.hasOwn(doc, column)) {
      throw new StoreError('UNKNOWN_COLUMN', `${table.name} has no column "${column}"`, { table: table.name, column });
    }
  }
}

/** A complete row from an insert document: every column present, defaults filled, every value checked. */
export function prepareInsert(table: TableDef, doc: Row, now: string): Row {
  const plan = planOf(table);
  assertKnownColumns(table, doc, plan);
  const row: Row = {};
  for (const { name, def, valid } of plan.columns) {
    const given = doc[name];
    const value = given === undefined ? defaultValue(def, now) : given;
    if (!valid(value)) checkValue(table, name, value);
    row[name] = value;
  }
  return row;
}

/** The row after a patch: only known columns, the primary key unchanged, `touchOnUpdate` columns set to now. */
export function prepareUpdate(table: TableDef, current: Row, patch: Row, now: string): Row {
  const plan = planOf(table);
  assertKnownColumns(table, patch, plan);
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
    if (!plan.byName.get(column)!.valid(value)) checkValue(table, column, value);
    row[column] = value;
  }
  for (const column of plan.touched) if (patch[column] === undefined) row[column] = now;
  return row;
}
