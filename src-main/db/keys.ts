/**
 * Index keys. Every index entry's key is `[...column values, primary key]` (case-insensitive text folded) (ordered-binary arrays, nulls first)
 * with an empty value (or the row, in an index declared `withRows`), so an index is scanned in key order either way and a row is found from its key alone.
 * Range bounds are at most one element longer than an equality prefix, never as long as a key, so no key ever
 * equals a bound and a forward and a reverse scan see the same entries.
 */
import type { Key as LmdbKey } from 'lmdb';
import { MAXIMUM_KEY } from 'ordered-binary';
import { foldCase, type Row } from './rows';
import type { IndexPath } from './schema';
import { StoreError } from './errors';

/** lmdb-js types leave out null, which ordered-binary encodes (before every other value). */
export type Key = LmdbKey[];
export const EMPTY = Buffer.alloc(0);

/** lmdb-js accepts keys up to 1978 bytes; what is left after the encoding's own bytes. */
const MAX_KEY_BYTES = 1900;

function encodedSize(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value) + 1 : 10;
}

export function indexKey(path: IndexPath, row: Row, primaryKey: string): Key {
  // Loops, not map and reduce: this runs for every index of every row written.
  const { columns, folded } = path;
  const key: Key = [];
  // An upper bound of the encoded size (a UTF-8 character takes at most 3 bytes per UTF-16 unit), so the exact
  // size is counted only for a key that may be too long.
  let bound = 0;
  for (let i = 0; i < columns.length; i++) key.push((row[columns[i]!.column] ?? null) as LmdbKey);
  if (folded) for (const i of folded) key[i] = foldCase(key[i]) as LmdbKey;
  key.push(primaryKey);
  for (const value of key) bound += typeof value === 'string' ? value.length * 3 + 1 : 10;
  if (bound > MAX_KEY_BYTES && key.reduce<number>((n, v) => n + encodedSize(v), 0) > MAX_KEY_BYTES) {
    throw new StoreError(
      'VALUE_TOO_LONG',
      `${path.table}.${path.columns.map((c) => c.column).join(', ')}: value too long to index (${MAX_KEY_BYTES} bytes at most)`,
      { table: path.table, columns: path.columns.map((c) => c.column), constraint: path.name },
    );
  }
  return key;
}

export const primaryKeyOf = (key: Key): string => key[key.length - 1] as string;

/** Writes a row's entry in an index: an empty value, or the row itself in an index that holds its rows. */
export function putEntry(path: IndexPath, key: Key, row: Row): void {
  path.db.put(key, path.withRows ? row : EMPTY);
}

/** A unique index entry's key in its lookup (its values without the primary key), or undefined when a value is null. */
export function lookupKey(indexKey: Key): Key | undefined {
  const values = indexKey.slice(0, -1);
  return values.includes(null as unknown as LmdbKey) ? undefined : values;
}

/** Adds a row's entry to a unique index's lookup (when it has one, and the values no null). */
export function putLookup(path: IndexPath, indexKey: Key, id: string): void {
  const values = path.lookup && lookupKey(indexKey);
  if (values) path.lookup!.put(values, id);
}

/** Takes a row's entry out of a unique index's lookup. */
export function removeLookup(path: IndexPath, indexKey: Key): void {
  const values = path.lookup && lookupKey(indexKey);
  if (values) path.lookup!.remove(values);
}

export interface Bounds {
  gt?: LmdbKey;
  gte?: LmdbKey;
  lt?: LmdbKey;
  lte?: LmdbKey;
}

/** The key range holding every entry that starts with `prefix`, narrowed by `bounds` on the next column. */
export function keyRange(prefix: Key, bounds?: Bounds): { start: Key; end: Key } {
  let start = prefix;
  let end = [...prefix, MAXIMUM_KEY];
  if (bounds) {
    // With only an upper bound, start past the nulls: a null compares with nothing.
    if (bounds.gte !== undefined) start = [...prefix, bounds.gte];
    else if (bounds.gt !== undefined) start = [...prefix, bounds.gt, MAXIMUM_KEY];
    else start = [...prefix, null as unknown as LmdbKey, MAXIMUM_KEY];
    if (bounds.lt !== undefined) end = [...prefix, bounds.lt];
    else if (bounds.lte !== undefined) end = [...prefix, bounds.lte, MAXIMUM_KEY];
  }
  return { start, end };
}

/** Scans an index range in either direction, yielding keys. */
export function scanKeys(
  path: IndexPath,
  range: { start: Key; end: Key },
  options: { reverse?: boolean; limit?: number; offset?: number } = {},
): Iterable<Key> {
  const { reverse = false, limit, offset } = options;
  return path.db.getKeys({
    start: reverse ? range.end : range.start,
    end: reverse ? range.start : range.end,
    reverse,
    ...(limit !== undefined && { limit }),
    ...(offset !== undefined && { offset }),
  }) as Iterable<Key>;
}

/**
 * A range of an index that holds its rows, in either direction, as lmdb-js entries whose `value` is the row (their
 * keys are not decoded: `key` is null).
 */
export function scanRows(
  path: IndexPath,
  range: { start: Key; end: Key },
  options: { reverse?: boolean; limit?: number; offset?: number } = {},
): Iterable<{ value: Row }> {
  const { reverse = false, limit, offset } = options;
  return path.rowsOnly!.getRange({
    start: reverse ? range.end : range.start,
    end: reverse ? range.start : range.end,
    reverse,
    ...(limit !== undefined && { limit }),
    ...(offset !== undefined && { offset }),
  });
}
