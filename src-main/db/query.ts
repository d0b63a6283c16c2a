/**
 * Reads: `where` is column → value (equality; null matches null), column → {gt, gte, lt, lte}, or column →
 * {in: [values]}. `orderBy` is one column (its direction in `order`) or several, each with its direction
 * (`['priority desc', 'queued_at asc']`). The planner picks the index that serves the most of the query (equality
 * and `in` prefix, then a range or the order on the next columns); `explain` says which, and says `scan` when
 * nothing fits. An order of several columns that no index serves is refused rather than sorted in memory.
 */
import type { Key as LmdbKey } from 'lmdb';
import { compareKeys, MAXIMUM_KEY } from 'ordered-binary';
import type { TableDef } from '../../src-shared/schema';
import { StoreError, kindOf } from './errors';
import { keyRange, primaryKeyOf, scanKeys, scanRows, type Bounds, type Key } from './keys';
import { checkType, foldCase, typeMatches, type Row } from './rows';
import type { CompiledTable, IndexPath } from './schema';

export type Where = Readonly<Record<string, unknown>>;

export interface QueryOptions {
  /** One column (its direction in `order`), or several, each `'column'` or `'column asc|desc'`. */
  orderBy?: string | readonly string[];
  /** The direction of a single `orderBy` column. */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface Plan {
  table: string;
  /** `primary`: rows by their key; `index`: ranges of one index; `scan`: every row of the table. */
  access: 'primary' | 'index' | 'scan';
  index?: string;
  /** Columns matched by the index's prefix (equal to a value, or to one of an `in` list), and the column of its range, if any. */
  equality: string[];
  /** The prefix columns matched by an `in` list: one range of the index per combination of values. */
  in?: string[];
  range?: string;
  /** True when rows come out of the index already in the requested order (no sort in memory). */
  ordered: boolean;
  reverse: boolean;
  /**
   * Columns the index is walked along one value at a time, because the order asks for them in a direction other
   * than the columns after them (`priority desc, queued_at asc`): a seek per distinct value, no sort.
   */
  seeks?: string[];
  /** True when the index alone decides which rows match (no row is read only to be filtered out). */
  covered: boolean;
  /** True when every column of a unique index is equal to a value: one get in its lookup finds the row. */
  lookup?: boolean;
  /** True when the rows are read from the index's entries (an index that holds its rows): no get per row. */
  withRows?: boolean;
}

type Value = LmdbKey | null;

interface Conditions {
  equal: Map<string, Value>;
  /** `in` lists: distinct values in key order. */
  anyOf: Map<string, Value[]>;
  bounds: Map<string, Bounds>;
  /** The table's case-insensitive columns: their values above are folded, and a row's are folded to compare. */
  folded: ReadonlySet<string>;
}

/** One column of an order. */
interface Term {
  column: string;
  desc: boolean;
}

/** A key position to compare, in a direction. */
interface Position {
  at: number;
  desc: boolean;
}

/** How an index gives rows in a query's order. */
interface IndexOrder {
  /** The direction of each column after the prefix (the last one goes on for the columns after). */
  walk: boolean[];
  /** With `in` lists, several ranges are merged comparing these key positions (the order's columns) in turn. */
  mergeBy: Position[];
}

/** What running a plan needs besides what `explain` shows. */
interface Planned extends Plan {
  order?: IndexOrder;
}

const BOUND_OPS = new Set(['gt', 'gte', 'lt', 'lte']);
/** Beyond this many combinations of `in` values, the prefix stops before the column that would exceed it. */
const MAX_RANGES = 1024;

function invalid(message: string, table: string, column?: string): never {
  throw new StoreError('INVALID_QUERY', message, { table, ...(column !== undefined && { column }) });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

function isBounds(value: unknown): value is Bounds {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => BOUND_OPS.has(k));
}

const isList = (value: unknown): value is { in: unknown } =>
  isPlainObject(value) && Object.hasOwn(value, 'in') && Object.keys(value).length === 1;

const same = (value: unknown) => value;

function parseWhere(table: CompiledTable, where: Where): Conditions {
  const { def, folded } = table;
  if (where === null || typeof where !== 'object' || Array.isArray(where)) {
    invalid(`a ${def.name} query needs an object of conditions, got ${kindOf(where)}`, def.name);
  }
  const equal: Conditions['equal'] = new Map();
  const anyOf: Conditions['anyOf'] = new Map();
  const bounds = new Map<string, Bounds>();
  for (const [column, value] of Object.entries(where)) {
    const col = def.columns[column];
    if (!Object.hasOwn(def.columns, column) || !col) {
      throw new StoreError('UNKNOWN_COLUMN', `${def.name} has no column "${column}"`, { table: def.name, column });
    }
    if (col.type === 'json') invalid(`${def.name}.${column} is json and cannot be compared`, def.name, column);
    if (value === undefined) continue;
    const fold = col.caseInsensitive ? foldCase : same;
    if (isBounds(value)) {
      const folded: Bounds = {};
      for (const [op, bound] of Object.entries(value) as [keyof Bounds, unknown][]) {
        if (bound === null) invalid(`${def.name}.${column}: a range bound cannot be null`, def.name, column);
        checkType(def, column, bound);
        folded[op] = fold(bound) as LmdbKey;
      }
      bounds.set(column, folded);
    } else if (isList(value)) {
      if (!Array.isArray(value.in)) invalid(`${def.name}.${column}: in needs an array of values, got ${kindOf(value.in)}`, def.name, column);
      for (const v of value.in) if (v !== null) checkType(def, column, v);
      const distinct = [...new Set((value.in as unknown[]).map(fold))] as Value[];
      anyOf.set(column, distinct.sort((a, b) => compareKeys(a as LmdbKey, b as LmdbKey)));
    } else {
      if (value !== null) checkType(def, column, value);
      equal.set(column, fold(value) as Value);
    }
  }
  return { equal, anyOf, bounds, folded };
}

/** A row's value as conditions compare it (case-insensitive text folded). */
function valueOf(row: Row, column: string, folded: ReadonlySet<string>): Value {
  const v = (row[column] ?? null) as Value;
  return folded.size > 0 && folded.has(column) ? (foldCase(v) as Value) : v;
}

function matches(row: Row, { equal, anyOf, bounds, folded }: Conditions): boolean {
  for (const [column, v] of equal) if (valueOf(row, column, folded) !== v) return false;
  for (const [column, list] of anyOf) if (!list.includes(valueOf(row, column, folded))) return false;
  for (const [column, b] of bounds) {
    const v = valueOf(row, column, folded);
    if (v === null) return false;
    if (b.gt !== undefined && compareKeys(v, b.gt) <= 0) return false;
    if (b.gte !== undefined && compareKeys(v, b.gte) < 0) return false;
    if (b.lt !== undefined && compareKeys(v, b.lt) >= 0) return false;
    if (b.lte !== undefined && compareKeys(v, b.lte) > 0) return false;
  }
  return true;
}

/** The order asked for, as terms; refuses unknown columns and bad directions. */
function orderColumn(def: TableDef, column: string): string {
  if (!Object.hasOwn(def.columns, column)) {
    throw new StoreError('UNKNOWN_COLUMN', `${def.name} has no column "${column}" to order by`, { table: def.name, column });
  }
  return column;
}

/** The order asked for, as terms; refuses unknown columns and bad directions. */
function parseOrder(def: TableDef, options: QueryOptions): Term[] {
  const { orderBy, order } = options;
  if (order !== undefined && order !== 'asc' && order !== 'desc') invalid(`order must be asc or desc`, def.name);
  if (orderBy === undefined) return [];
  if (typeof orderBy === 'string') return [{ column: orderColumn(def, orderBy), desc: order === 'desc' }];
  if (!Array.isArray(orderBy) || orderBy.length === 0) invalid(`orderBy must be a column or a list of columns`, def.name);
  if (order !== undefined) invalid(`with several orderBy columns, give each its direction ('${String(orderBy[0])} desc'), not order`, def.name);
  return orderBy.map((spec: unknown) => {
    const [column = '', direction = 'asc', ...rest] = typeof spec === 'string' ? spec.trim().split(/\s+/) : [];
    if ((direction !== 'asc' && direction !== 'desc') || rest.length > 0) {
      invalid(`orderBy ${JSON.stringify(spec)}: give a column and optionally asc or desc`, def.name);
    }
    return { column: orderColumn(def, column), desc: direction === 'desc' };
  });
}

function checkOptions(def: TableDef, options: QueryOptions): Term[] {
  const { limit, offset } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) invalid(`limit must be a whole number ≥ 0`, def.name);
  if (offset !== undefined && !(Number.isSafeInteger(offset) && offset >= 0)) invalid(`offset must be a whole number ≥ 0`, def.name);
  return parseOrder(def, options);
}

interface Candidate {
  path: IndexPath;
  equality: string[];
  /** How many of the equality columns are matched by `in` lists. */
  lists: number;
  range?: string | undefined;
  order: IndexOrder | undefined;
  score: number;
}

const UNORDERED: IndexOrder = { walk: [], mergeBy: [] };
// The common orders (one column, one range): shared, so planning them allocates nothing.
const ONE_COLUMN = [{ walk: [false], mergeBy: [] }, { walk: [true], mergeBy: [] }] as const satisfies IndexOrder[];

/**
 * Whether an index gives rows in the order of `terms`, and how. Columns equal to one value are dropped (they
 * cannot vary); columns of the prefix matched by `in` lists may come anywhere (the ranges are merged); the other
 * terms must name the index's columns after its prefix in sequence (then the primary key, which ends every key).
 * Any directions serve: a column asked in another direction than the next is walked one value at a time.
 */
/** The column at a position of an index's keys: its columns, then the primary key. */
function columnAt(path: IndexPath, at: number, pk: string): string | undefined {
  return at < path.columns.length ? path.columns[at]!.column : at === path.columns.length ? pk : undefined;
}

// No closures in the functions below: they run for every index on every query.
function orderOn(path: IndexPath, equality: readonly string[], lists: number, terms: readonly Term[], c: Conditions, pk: string): IndexOrder | undefined {
  if (terms.length === 0) return UNORDERED;
  if (terms.length === 1 && lists === 0) {
    const [term] = terms as [Term];
    if (c.equal.has(term.column)) return UNORDERED;
    return columnAt(path, equality.length, pk) === term.column ? ONE_COLUMN[term.desc ? 1 : 0] : undefined;
  }
  const order: IndexOrder = { walk: [], mergeBy: [] };
  for (const term of terms) {
    if (c.equal.has(term.column)) continue;
    const listAt = lists > 0 ? equality.indexOf(term.column) : -1;
    if (listAt < 0) {
      if (columnAt(path, equality.length + order.walk.length, pk) !== term.column) return undefined;
      order.walk.push(term.desc);
    }
    order.mergeBy.push({ at: listAt < 0 ? equality.length + order.walk.length - 1 : listAt, desc: term.desc });
  }
  return order;
}

function candidateFor(path: IndexPath, c: Conditions, terms: readonly Term[], pk: string): Candidate | undefined {
  const equality: string[] = [];
  let lists = 0;
  let ranges = 1;
  for (const { column } of path.columns) {
    if (c.equal.has(column)) equality.push(column);
    else if (c.anyOf.has(column) && (ranges *= Math.max(c.anyOf.get(column)!.length, 1)) <= MAX_RANGES) {
      equality.push(column);
      lists++;
    } else break;
  }
  const next = path.columns[equality.length]?.column;
  const range = next !== undefined && c.bounds.has(next) ? next : undefined;
  if (equality.length === 0 && !range && terms.length === 0) return undefined;
  const order = orderOn(path, equality, lists, terms, c, pk);
  if (equality.length === 0 && !range && !(order && order.walk.length > 0)) return undefined;
  const score = (equality.length - lists) * 4 + lists * 3 + (range ? 2 : 0) + (order ? 1 : 0);
  return { path, equality, lists, range, order, score };
}

/** The columns walked value by value: up to the last one whose direction differs from the next one's. */
function seeksOf(path: IndexPath, prefix: number, directions: readonly boolean[]): string[] | undefined {
  let last = -1;
  for (let i = 0; i + 1 < directions.length; i++) if (directions[i] !== directions[i + 1]) last = i;
  return last < 0 ? undefined : path.columns.slice(prefix, prefix + last + 1).map((col) => col.column);
}

/** A unique index with a lookup whose every column, and no other, is equal to a value other than null. */
function uniqueMatch(table: CompiledTable, c: Conditions): IndexPath | undefined {
  for (const path of table.indexes) {
    if (!path.lookup || path.columns.length !== c.equal.size) continue;
    let all = true;
    for (const { column } of path.columns) {
      const v = c.equal.get(column);
      if (v === undefined || v === null) all = false;
    }
    if (all) return path;
  }
  return undefined;
}

function plan(table: CompiledTable, c: Conditions, terms: readonly Term[]): Planned {
  // Plain object literals throughout: this runs on every query, and spreading into a new object costs far more.
  const { def } = table;
  const pk = def.primaryKey;
  const onlyPk = terms.length === 0 || (terms.length === 1 && terms[0]!.column === pk);
  const reverse = terms.length > 0 && terms[0]!.desc;
  if (c.equal.has(pk) || c.anyOf.has(pk)) {
    const covered = c.equal.size + c.anyOf.size === 1 && c.bounds.size === 0;
    const ordered = c.equal.has(pk) || onlyPk;
    const result: Planned = { table: def.name, access: 'primary', equality: [pk], ordered, reverse: c.anyOf.has(pk) && onlyPk && reverse, covered };
    if (c.anyOf.has(pk)) result.in = [pk];
    return result;
  }
  const unique = c.anyOf.size === 0 && c.bounds.size === 0 ? uniqueMatch(table, c) : undefined;
  if (unique) {
    return { table: def.name, access: 'index', index: unique.name, equality: unique.columns.map(({ column }) => column), ordered: true, reverse: false, covered: true, lookup: true };
  }
  // An order of several columns (that vary) is served by an index or refused: never a sort of every row.
  const mustOrder = terms.length > 1 && terms.filter((t) => !c.equal.has(t.column)).length > 1;
  let best: Candidate | undefined;
  for (const path of table.indexes) {
    const candidate = candidateFor(path, c, terms, pk);
    if (candidate && (!mustOrder || candidate.order) && (!best || candidate.score > best.score)) best = candidate;
  }
  if (mustOrder && !best) {
    const order = terms.map((t) => `${t.column} ${t.desc ? 'desc' : 'asc'}`).join(', ');
    invalid(`no index of ${def.name} serves the order ${order}: declare one with these columns, after any columns the query sets equal`, def.name);
  }
  if (!best) {
    const covered = c.equal.size + c.anyOf.size + c.bounds.size === 0;
    return { table: def.name, access: 'scan', equality: [], ordered: onlyPk, reverse: onlyPk && reverse, covered };
  }
  const used = best.equality.length + (best.range ? 1 : 0);
  const { order } = best;
  const result: Planned = {
    table: def.name,
    access: 'index',
    index: best.path.name,
    equality: best.equality,
    ordered: order !== undefined,
    reverse: order !== undefined && order.walk.length > 0 && order.walk[0]!,
    covered: used === c.equal.size + c.anyOf.size + c.bounds.size,
  };
  if (best.lists > 0) result.in = best.equality.filter((column) => c.anyOf.has(column));
  if (best.range) result.range = best.range;
  const seeks = order && seeksOf(best.path, best.equality.length, order.walk);
  if (seeks) result.seeks = seeks;
  if (order && (seeks || best.lists > 0)) result.order = order;
  // One range of an index that holds its rows gives them (several ranges, merged or walked, read rows by key).
  if (best.path.withRows && !result.order && best.lists === 0) result.withRows = true;
  return result;
}

function sortRows(rows: Row[], terms: readonly Term[], folded: ReadonlySet<string>, pk: string): Row[] {
  const value = (row: Row, c: string) => valueOf(row, c, folded) as LmdbKey;
  const last = terms.at(-1)!.desc ? -1 : 1;
  return rows.sort((a, b) => {
    for (const { column, desc } of terms) {
      const order = compareKeys(value(a, column), value(b, column));
      if (order !== 0) return desc ? -order : order;
    }
    return last * compareKeys(value(a, pk), value(b, pk));
  });
}

/** The plan a query would run with. */
export function explain(table: CompiledTable, where: Where, options: QueryOptions = {}): Plan {
  const terms = checkOptions(table.def, options);
  const planned = plan(table, parseWhere(table, where), terms);
  delete planned.order; // how it runs, not what it shows
  return planned;
}

/** The key prefixes of a plan's ranges: one per combination of its `in` values, in key order. */
function prefixes(p: Plan, c: Conditions): Key[] {
  let out: Key[] = [[]];
  for (const column of p.equality) {
    const values = c.anyOf.get(column) ?? [c.equal.get(column)!];
    out = out.flatMap((prefix) => values.map((v) => [...prefix, v as LmdbKey]));
  }
  return out;
}

/**
 * An index range's keys in the order of `directions` (one per column after the prefix; the last one goes on for
 * the columns after). Where the directions differ, the first column is walked one value at a time: a seek finds
 * its next value in its direction, and the rows of that value come out in the order of the columns after it.
 */
function* walkIndex(path: IndexPath, range: { start: Key; end: Key }, depth: number, directions: readonly boolean[]): Generator<Key> {
  const desc = directions[0] ?? false;
  if (directions.every((d) => d === desc)) {
    yield* scanKeys(path, range, { reverse: desc });
    return;
  }
  let { start, end } = range;
  for (;;) {
    const [first] = scanKeys(path, { start, end }, { reverse: desc, limit: 1 });
    if (!first) return;
    const group = first.slice(0, depth + 1);
    const after = [...group, MAXIMUM_KEY] as Key;
    yield* walkIndex(path, { start: group, end: after }, depth + 1, directions.slice(1));
    if (desc) end = group;
    else start = after;
  }
}

/** Several ordered streams of keys merged into one, comparing the key positions of the order in turn. */
function* merge(streams: Iterator<Key>[], by: readonly Position[]): Generator<Key> {
  const compare = (a: Key, b: Key) => {
    for (const { at, desc } of by) {
      const order = compareKeys(a[at]!, b[at]!);
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  };
  const heads = streams.map((s) => s.next());
  for (;;) {
    let min = -1;
    heads.forEach((h, i) => {
      if (!h.done && (min < 0 || compare(h.value, heads[min]!.value as Key) < 0)) min = i;
    });
    if (min < 0) return;
    yield heads[min]!.value as Key;
    heads[min] = streams[min]!.next();
  }
}

/** The index keys a plan reads, in its order. */
function planKeys(path: IndexPath, p: Planned, c: Conditions, window?: QueryOptions): Iterable<Key> {
  const bounds = p.range ? c.bounds.get(p.range) : undefined;
  if (!p.order) {
    if (!p.in) return scanKeys(path, keyRange(p.equality.map((column) => c.equal.get(column) as LmdbKey), bounds), { reverse: p.reverse, ...window });
    return prefixes(p, c).flatMap((prefix) => [...scanKeys(path, keyRange(prefix, bounds), { reverse: p.reverse })]);
  }
  const { walk: directions, mergeBy } = p.order;
  const streams = prefixes(p, c).map((prefix) => walkIndex(path, keyRange(prefix, bounds), prefix.length, directions));
  return streams.length === 1 ? streams[0]! : merge(streams, mergeBy);
}

/** The one range of an index holding its rows that a plan reads (`withRows`): its entries, each with its row. */
function rowsOfIndex(path: IndexPath, p: Planned, c: Conditions, window?: QueryOptions): Iterable<{ value: Row }> {
  const bounds = p.range ? c.bounds.get(p.range) : undefined;
  return scanRows(path, keyRange(p.equality.map((column) => c.equal.get(column) as LmdbKey), bounds), { reverse: p.reverse, ...window });
}

function* candidateRows(table: CompiledTable, p: Planned, c: Conditions, window?: QueryOptions): Iterable<Row> {
  if (p.access === 'primary') {
    const keys = c.anyOf.get(table.def.primaryKey) ?? [c.equal.get(table.def.primaryKey)];
    for (const key of p.reverse ? [...keys].reverse() : keys) {
      const row = table.rows.get(key as string);
      if (row) yield row;
    }
    return;
  }
  if (p.access === 'scan') {
    for (const { value } of table.rows.getRange({ reverse: p.reverse, ...window })) yield value;
    return;
  }
  const path = table.indexes.find((i) => i.name === p.index)!;
  if (p.withRows) {
    for (const { value } of rowsOfIndex(path, p, c, window)) yield value;
    return;
  }
  if (p.lookup) {
    const id = path.lookup!.get(p.equality.map((column) => c.equal.get(column) as LmdbKey));
    const row = id === undefined ? undefined : table.rows.get(id as string);
    if (row) yield row;
    return;
  }
  for (const key of planKeys(path, p, c, window)) {
    const row = table.rows.get(primaryKeyOf(key));
    if (row) yield row;
  }
}

/**
 * The answer to a query that sets exactly the columns of a unique index with a lookup, each to a value other than
 * null (an API key by its hash), with no order or offset: one get, without planning. Undefined for any other query
 * (and for a bad limit, which the general path then refuses).
 */
function byLookup(table: CompiledTable, where: Where, options: QueryOptions): Row[] | undefined {
  // No allocation but the key and the answer: this is the query of every API request (a key by its hash).
  const { lookups } = table;
  if (lookups.length === 0) return undefined;
  const { limit } = options;
  if (options.orderBy !== undefined || options.order !== undefined || options.offset !== undefined) return undefined;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) return undefined;
  if (where === null || typeof where !== 'object' || Array.isArray(where)) return undefined;
  let conditions = 0;
  for (const column in where) if (Object.hasOwn(where, column)) conditions++;
  for (const path of lookups) {
    const { columns } = path;
    if (columns.length !== conditions) continue;
    const key: LmdbKey[] = [];
    for (const { column } of columns) {
      const value = Object.hasOwn(where, column) ? where[column] : undefined;
      if (value === undefined || value === null || typeof value === 'object') break;
      // The same check as the general path's, so a value of the wrong type gets the same typed error.
      if (!typeMatches(table.def.columns[column]!, value)) checkType(table.def, column, value);
      key.push((path.folded !== undefined && table.folded.has(column) ? foldCase(value) : value) as LmdbKey);
    }
    if (key.length !== columns.length) continue;
    const id = path.lookup!.get(key);
    const row = id === undefined ? undefined : table.rows.get(id as string);
    return row && limit !== 0 ? [row] : [];
  }
  return undefined;
}

/** Runs a query: rows in the requested order, `offset` skipped, at most `limit`. */
export function runQuery(table: CompiledTable, where: Where, options: QueryOptions = {}): Row[] {
  const found = byLookup(table, where, options);
  if (found) return found;
  const terms = checkOptions(table.def, options);
  const c = parseWhere(table, where);
  const p = plan(table, c, terms);
  const { limit, offset = 0 } = options;
  if (p.lookup) {
    // At most one row, found by one get.
    const [row] = candidateRows(table, p, c);
    return row && offset === 0 && limit !== 0 ? [row] : [];
  }
  if (p.ordered && p.covered && p.access !== 'primary' && !p.order && !p.in) {
    // The index range is exactly the answer: let LMDB skip and stop.
    const window = { offset, ...(limit !== undefined && { limit }) };
    if (!p.withRows) return [...candidateRows(table, p, c, window)];
    // A user's newest memos: the rows straight from the index's entries into the answer, without candidateRows'
    // generator in between (this is the Library's hot path).
    const out: Row[] = [];
    for (const { value } of rowsOfIndex(table.indexes.find((i) => i.name === p.index)!, p, c, window)) out.push(value);
    return out;
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
  sortRows(out, terms, c.folded, table.def.primaryKey);
  return out.slice(offset, limit === undefined ? undefined : offset + limit);
}

/** How many rows match; counted from index keys alone when the index decides the answer. */
export function countRows(table: CompiledTable, where: Where): number {
  const c = parseWhere(table, where);
  const p = plan(table, c, []);
  if (p.covered && p.access === 'index') {
    const path = table.indexes.find((i) => i.name === p.index)!;
    const bounds = p.range ? c.bounds.get(p.range) : undefined;
    return prefixes(p, c).reduce((n, prefix) => n + path.db.getCount(keyRange(prefix, bounds)), 0);
  }
  if (p.covered && p.access === 'scan') return table.rows.getCount();
  let n = 0;
  for (const row of candidateRows(table, p, c)) if (matches(row, c)) n++;
  return n;
}
