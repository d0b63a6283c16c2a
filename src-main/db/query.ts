/**
 * Reads: `where` is column → value (equality; null matches null) or column → {gt, gte, lt, lte}. The planner
 * picks the index that serves the most of the query (equality prefix, then a range or the sort order on the
 * next column); `explain` says which, and says `scan` when nothing fits.
 */
import type { Key as LmdbKey } from 'lmdb';
import { compareKeys } from 'ordered-binary';
import type { TableDef } from '../../src-shared/schema';
import { StoreError, kindOf } from './errors';
import { keyRange, primaryKeyOf, scanKeys, type Bounds } from './keys';
import { checkType, type Row } from './rows';
import type { CompiledTable, IndexPath } from './schema';

export type Where = Readonly<Record<string, unknown>>;

export interface QueryOptions {
  orderBy?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface Plan {
  table: string;
  /** `primary`: one row by its key; `index`: a range of one index; `scan`: every row of the table. */
  access: 'primary' | 'index' | 'scan';
  index?: string;
  /** Columns matched by the index's equality prefix, and the column of its range, if any. */
  equality: string[];
  range?: string;
  /** True when rows come out of the index already in the requested order (no sort in memory). */
  ordered: boolean;
  reverse: boolean;
  /** True when the index alone decides which rows match (no row is read only to be filtered out). */
  covered: boolean;
}

interface Conditions {
  equal: Map<string, LmdbKey | null>;
  bounds: Map<string, Bounds>;
}

const BOUND_OPS = new Set(['gt', 'gte', 'lt', 'lte']);

function invalid(message: string, table: string, column?: string): never {
  throw new StoreError('INVALID_QUERY', message, { table, ...(column !== undefined && { column }) });
}

function isBounds(value: unknown): value is Bounds {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => BOUND_OPS.has(k))
  );
}

function parseWhere(def: TableDef, where: Where): Conditions {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) {
    invalid(`a ${def.name} query needs an object of conditions, got ${kindOf(where)}`, def.name);
  }
  const equal: Conditions['equal'] = new Map();
  const bounds = new Map<string, Bounds>();
  for (const [column, value] of Object.entries(where)) {
    const col = def.columns[column];
    if (!Object.hasOwn(def.columns, column) || !col) {
      throw new StoreError('UNKNOWN_COLUMN', `${def.name} has no column "${column}"`, { table: def.name, column });
    }
    if (col.type === 'json') invalid(`${def.name}.${column} is json and cannot be compared`, def.name, column);
    if (value === undefined) continue;
    if (isBounds(value)) {
      for (const bound of Object.values(value)) {
        if (bound === null) invalid(`${def.name}.${column}: a range bound cannot be null`, def.name, column);
        checkType(def, column, bound);
      }
      bounds.set(column, value);
    } else {
      if (value !== null) checkType(def, column, value);
      equal.set(column, value as LmdbKey | null);
    }
  }
  return { equal, bounds };
}

function matches(row: Row, { equal, bounds }: Conditions): boolean {
  for (const [column, value] of equal) if ((row[column] ?? null) !== value) return false;
  for (const [column, b] of bounds) {
    const v = row[column] as LmdbKey | null | undefined;
    if (v === null || v === undefined) return false;
    if (b.gt !== undefined && compareKeys(v, b.gt) <= 0) return false;
    if (b.gte !== undefined && compareKeys(v, b.gte) < 0) return false;
    if (b.lt !== undefined && compareKeys(v, b.lt) >= 0) return false;
    if (b.lte !== undefined && compareKeys(v, b.lte) > 0) return false;
  }
  return true;
}

function checkOptions(def: TableDef, options: QueryOptions): void {
  const { orderBy, order, limit, offset } = options;
  if (orderBy !== undefined && !Object.hasOwn(def.columns, orderBy)) {
    throw new StoreError('UNKNOWN_COLUMN', `${def.name} has no column "${String(orderBy)}" to order by`, {
      table: def.name,
      column: String(orderBy),
    });
  }
  if (order !== undefined && order !== 'asc' && order !== 'desc') invalid(`order must be asc or desc`, def.name);
  for (const [name, n] of [['limit', limit], ['offset', offset]] as const) {
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) invalid(`${name} must be a whole number ≥ 0`, def.name);
  }
}

interface Candidate {
  path: IndexPath;
  equality: string[];
  range?: string;
  ordered: boolean;
  score: number;
}

function candidateFor(path: IndexPath, c: Conditions, orderBy: string | undefined, pk: string): Candidate | undefined {
  const equality: string[] = [];
  for (const { column } of path.columns) {
    if (!c.equal.has(column)) break;
    equality.push(column);
  }
  const next = path.columns[equality.length]?.column;
  const range = next !== undefined && c.bounds.has(next) ? next : undefined;
  const ordered =
    orderBy === undefined ||
    orderBy === next ||
    (next === undefined && orderBy === pk) ||
    (c.equal.has(orderBy) && !range);
  if (equality.length === 0 && !range && !(orderBy !== undefined && orderBy === next)) return undefined;
  const score = equality.length * 4 + (range ? 2 : 0) + (ordered ? 1 : 0);
  return { path, equality, range, ordered, score };
}

function plan(table: CompiledTable, c: Conditions, options: QueryOptions): Plan {
  // Plain object literals throughout: this runs on every query, and spreading into a new object costs far more.
  const { def } = table;
  const pk = def.primaryKey;
  const reverse = options.order === 'desc';
  if (c.equal.has(pk)) {
    const covered = c.equal.size === 1 && c.bounds.size === 0;
    return { table: def.name, access: 'primary', equality: [pk], ordered: true, reverse: false, covered };
  }
  let best: Candidate | undefined;
  for (const path of table.indexes) {
    const candidate = candidateFor(path, c, options.orderBy, pk);
    if (candidate && (!best || candidate.score > best.score)) best = candidate;
  }
  if (!best) {
    const ordered = options.orderBy === undefined || options.orderBy === pk;
    const covered = c.equal.size + c.bounds.size === 0;
    return { table: def.name, access: 'scan', equality: [], ordered, reverse: ordered && reverse, covered };
  }
  const used = best.equality.length + (best.range ? 1 : 0);
  const result: Plan = {
    table: def.name,
    access: 'index',
    index: best.path.name,
    equality: best.equality,
    ordered: best.ordered,
    reverse: best.ordered && reverse,
    covered: used === c.equal.size + c.bounds.size,
  };
  if (best.range) result.range = best.range;
  return result;
}

function sortRows(rows: Row[], column: string, order: 'asc' | 'desc', pk: string): Row[] {
  const sign = order === 'desc' ? -1 : 1;
  const value = (row: Row, c: string) => (row[c] ?? null) as LmdbKey;
  return rows.sort((a, b) => sign * (compareKeys(value(a, column), value(b, column)) || compareKeys(value(a, pk), value(b, pk))));
}

/** The plan a query would run with. */
export function explain(table: CompiledTable, where: Where, options: QueryOptions = {}): Plan {
  checkOptions(table.def, options);
  return plan(table, parseWhere(table.def, where), options);
}

function* candidateRows(table: CompiledTable, p: Plan, c: Conditions, window?: QueryOptions): Iterable<Row> {
  if (p.access === 'primary') {
    const row = table.rows.get(c.equal.get(table.def.primaryKey) as string);
    if (row) yield row;
    return;
  }
  if (p.access === 'scan') {
    for (const { value } of table.rows.getRange({ reverse: p.reverse, ...window })) yield value;
    return;
  }
  const path = table.indexes.find((i) => i.name === p.index)!;
  const range = keyRange(
    p.equality.map((column) => c.equal.get(column) as LmdbKey),
    p.range ? c.bounds.get(p.range) : undefined,
  );
  for (const key of scanKeys(path, range, { reverse: p.reverse, ...window })) {
    const row = table.rows.get(primaryKeyOf(key));
    if (row) yield row;
  }
}

/** Runs a query: rows in the requested order, `offset` skipped, at most `limit`. */
export function runQuery(table: CompiledTable, where: Where, options: QueryOptions = {}): Row[] {
  checkOptions(table.def, options);
  const c = parseWhere(table.def, where);
  const p = plan(table, c, options);
  const { limit, offset = 0 } = options;
  if (p.ordered && p.covered && p.access !== 'primary') {
    // The index range is exactly the answer: let LMDB skip and stop.
    return [...candidateRows(table, p, c, { offset, ...(limit !== undefined && { limit }) })];
  }
  const out: Row[] = [];
  let skipped = 0;
  for (const row of candidateRows(table, p, c)) {
    if (!matches(row, c)) continue;
    if (p.ordered) {
      if (skipped++ < offset) continue;
      if (limit !== undefined && out.length >= limit) break;
    }
    out.push(row);
  }
  if (p.ordered) return out;
  sortRows(out, options.orderBy!, options.order ?? 'asc', table.def.primaryKey);
  return out.slice(offset, limit === undefined ? undefined : offset + limit);
}

/** How many rows match; counted from index keys alone when the index decides the answer. */
export function countRows(table: CompiledTable, where: Where): number {
  const c = parseWhere(table.def, where);
  const p = plan(table, c, {});
  if (p.covered && p.access === 'index') {
    const path = table.indexes.find((i) => i.name === p.index)!;
    const range = keyRange(
      p.equality.map((column) => c.equal.get(column) as LmdbKey),
      p.range ? c.bounds.get(p.range) : undefined,
    );
    return path.db.getCount(range);
  }
  if (p.covered && p.access === 'scan') return table.rows.getCount();
  let n = 0;
  for (const row of candidateRows(table, p, c)) if (matches(row, c)) n++;
  return n;
}
