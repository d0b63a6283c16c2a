/**
 * Table definitions as data. The store engine (src-main/db) is given these and knows no table by name;
 * the row types below are derived from the same definitions so code and schema cannot drift apart.
 */

export const COLUMN_TYPES = ['text', 'integer', 'real', 'boolean', 'timestamp', 'json'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A column's default: a literal value (a json column's may be an object or array: each row gets its own copy),
 * or `'now'` on a timestamp column for the time of the write.
 */
export type ColumnDefault = JsonValue;

export interface ColumnDef {
  readonly type: ColumnType;
  readonly notNull?: boolean;
  readonly default?: ColumnDefault;
  /** CHECK (column IN (...)): the only values allowed (null still passes unless notNull). */
  readonly oneOf?: readonly (string | number)[];
  /** Set to the time of the write on every update (the `updated_at` convention). */
  readonly touchOnUpdate?: boolean;
  /** Filled with a new UUID v4 when an insert leaves it out (primary keys). */
  readonly generate?: 'uuid';
  /**
   * Text compared without regard to case (in every script) wherever the store compares it: unique constraints,
   * indexes, `where` and `orderBy`, like SQLite's COLLATE NOCASE. The row keeps the text as written.
   */
  readonly caseInsensitive?: boolean;
}

export const ON_DELETE = ['cascade', 'set null', 'restrict'] as const;
export type OnDelete = (typeof ON_DELETE)[number];

export interface ForeignKeyDef {
  readonly column: string;
  readonly references: string;
  readonly onDelete: OnDelete;
}

export interface IndexColumn {
  readonly column: string;
  readonly order: 'asc' | 'desc';
}

export interface IndexDef {
  readonly name: string;
  readonly columns: readonly IndexColumn[];
  /**
   * Each entry holds a copy of its row, so a range of the index is read without a get per row (like a SQLite
   * index holding every column): for a list the app reads often. Every write of a row writes the copy too.
   */
  readonly withRows?: boolean;
}

export interface UniqueDef {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface TableDef {
  readonly name: string;
  /** Single-column primary key; it is always `id` holding a UUID in agent-talk but the engine takes any. */
  readonly primaryKey: string;
  readonly columns: Readonly<Record<string, ColumnDef>>;
  readonly unique?: readonly UniqueDef[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly indexes?: readonly IndexDef[];
}

/** What a later schema version adds to a table: the unit of an additive migration. */
export interface TableExtension {
  readonly columns?: Readonly<Record<string, ColumnDef>>;
  readonly unique?: readonly UniqueDef[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly indexes?: readonly IndexDef[];
}

type Extended<T extends TableDef, E extends TableExtension> = Omit<T, 'columns'> & {
  readonly columns: T['columns'] & (E['columns'] extends object ? E['columns'] : unknown);
};

/** The table with the extension's columns, constraints and indexes added (the migration applies the same). */
export function extendTable<T extends TableDef, E extends TableExtension>(table: T, extension: E): Extended<T, E> {
  return {
    ...table,
    columns: { ...table.columns, ...extension.columns },
    unique: [...(table.unique ?? []), ...(extension.unique ?? [])],
    foreignKeys: [...(table.foreignKeys ?? []), ...(extension.foreignKeys ?? [])],
    indexes: [...(table.indexes ?? []), ...(extension.indexes ?? [])],
  } as Extended<T, E>;
}

/** The table without what the extension added: the inverse of `extendTable`, used when a migration goes down. */
export function reduceTable(table: TableDef, extension: TableExtension): TableDef {
  const columns = new Set(Object.keys(extension.columns ?? {}));
  const names = new Set([...(extension.unique ?? []), ...(extension.indexes ?? [])].map((i) => i.name));
  const foreignKeys = new Set((extension.foreignKeys ?? []).map((f) => f.column));
  return {
    ...table,
    columns: Object.fromEntries(Object.entries(table.columns).filter(([name]) => !columns.has(name))),
    unique: (table.unique ?? []).filter((u) => !names.has(u.name)),
    foreignKeys: (table.foreignKeys ?? []).filter((f) => !foreignKeys.has(f.column)),
    indexes: (table.indexes ?? []).filter((i) => !names.has(i.name)),
  };
}

/**
 * The table with the named indexes holding their rows (`withRows`), or no longer holding them (`on` false): the
 * definition a migration that changes this leaves (see `Migrator.indexRows`).
 */
export function indexesWithRows<T extends TableDef>(table: T, names: readonly string[], on = true): T {
  const indexes = (table.indexes ?? []).map(({ name, columns, withRows }) =>
    names.includes(name) ? { name, columns, ...(on && { withRows: true }) } : { name, columns, ...(withRows !== undefined && { withRows }) },
  );
  return { ...table, indexes };
}

/** Shorthand for index columns: `'created_at desc'` or `'user_id'`. */
export function index(name: string, ...columns: string[]): IndexDef {
  return {
    name,
    columns: columns.map((spec) => {
      const [column, order = 'asc'] = spec.trim().split(/\s+/);
      if (order !== 'asc' && order !== 'desc') throw new Error(`index ${name}: bad sort direction in "${spec}"`);
      return { column: column!, order };
    }),
  };
}

type ValueOf<T extends ColumnType> = T extends 'text' | 'timestamp'
  ? string
  : T extends 'integer' | 'real'
    ? number
    : T extends 'boolean'
      ? boolean
      : unknown;

type ColumnValue<C extends ColumnDef> = C['oneOf'] extends readonly (infer V)[]
  ? V | (C['notNull'] extends true ? never : null)
  : ValueOf<C['type']> | (C['notNull'] extends true ? never : null);

/** The row as stored and read back: every column present (null when unset). */
export type RowOf<T extends TableDef> = { -readonly [K in keyof T['columns']]: ColumnValue<T['columns'][K]> };

type Optional<T extends TableDef> = {
  [K in keyof T['columns']]: T['columns'][K] extends { notNull: true }
    ? T['columns'][K] extends { default: ColumnDefault } | { generate: 'uuid' }
      ? K
      : never
    : K;
}[keyof T['columns']];

/** What an insert needs: not-null columns without a default are required, the rest optional. */
export type InsertOf<T extends TableDef> = Omit<RowOf<T>, Optional<T>> & Partial<Pick<RowOf<T>, Optional<T>>>;
