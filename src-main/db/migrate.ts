/**
 * Versioned migrations. The store's catalog (the table definitions it holds) changes only through them: each
 * runs in one transaction with its record in the migrations table, and each has a `down` that undoes it.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import { extendTable, indexesWithRows, reduceTable, type ColumnDef, type TableDef, type TableExtension } from '../../src-shared/schema';
import { FeedWriter, type FeedDb } from './changes';
import { StoreError } from './errors';
import { indexKey, putEntry, putLookup } from './keys';
import { checkValue, defaultValue } from './rows';
import { compileSchema, tableOf, type Schema } from './schema';
import { Writer } from './writer';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(m: Migrator): void;
  down(m: Migrator): void;
}

export interface MigrationRecord {
  version: number;
  name: string;
  applied_at: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  /** When it was applied, or null while pending. */
  appliedAt: string | null;
}

export interface Catalog {
  defs: readonly TableDef[];
  schema: Schema;
  /** Whether unique indexes have their value → primary key lookups (migration 16 on the agent-talk store). */
  lookups: boolean;
}

/** The migration that gives every unique index a value → primary key lookup (and takes them away going down). */
export function uniqueLookups(version: number): Migration {
  return {
    version,
    name: 'unique indexes looked up by value',
    up: (m) => m.setLookups(true),
    down: (m) => m.setLookups(false),
  };
}

/** The migration that makes the named indexes hold their rows (and empties their entries again going down). */
export function indexesHoldRows(version: number, name: string, indexes: Readonly<Record<string, readonly string[]>>): Migration {
  return {
    version,
    name,
    up: (m) => Object.entries(indexes).forEach(([table, names]) => m.indexRows(table, names, true)),
    down: (m) => Object.entries(indexes).forEach(([table, names]) => m.indexRows(table, names, false)),
  };
}

/** The migration that creates the given tables (and drops them, children first, going down). */
export function createTables(version: number, name: string, defs: readonly TableDef[]): Migration {
  return {
    version,
    name,
    up: (m) => defs.forEach((def) => m.createTable(def)),
    down: (m) => [...defs].reverse().forEach((def) => m.dropTable(def.name)),
  };
}

/** The migration that extends tables with columns, constraints and indexes (and takes them away going down). */
export function extendTables(version: number, name: string, extensions: Readonly<Record<string, TableExtension>>): Migration {
  return {
    version,
    name,
    up: (m) => Object.entries(extensions).forEach(([table, ext]) => m.extendTable(table, ext)),
    down: (m) => Object.entries(extensions).reverse().forEach(([table, ext]) => m.reduceTable(table, ext)),
  };
}

function migrationError(message: string, details: Record<string, unknown> = {}): never {
  throw new StoreError('MIGRATION_ERROR', message, details);
}

/** All the writer's operations, plus the schema changes a migration makes. */
export class Migrator extends Writer {
  constructor(
    private readonly env: RootDatabase,
    private catalog: Catalog,
    feed: FeedWriter,
    now: string,
  ) {
    super(() => this.catalog.schema, feed, now);
  }

  get result(): Catalog {
    return this.catalog;
  }

  /** A migration rewrites rows beneath what it read (extendTable, reduceTable): `updateRow` always reads again. */
  protected override wasRead(): boolean {
    return false;
  }

  private replace(defs: readonly TableDef[], lookups = this.catalog.lookups): void {
    this.catalog = { defs, schema: compileSchema(this.env, defs, lookups), lookups };
  }

  /** Gives every unique index its lookup, filled from the rows, or takes the lookups away. */
  setLookups(on: boolean): void {
    if (on === this.catalog.lookups) return;
    // The lookups' databases, also when turning them off (the schema without them cannot name them).
    const withLookups = compileSchema(this.env, this.catalog.defs, true);
    for (const table of withLookups.values()) {
      for (const path of table.indexes) {
        if (!path.lookup) continue;
        clear(path.lookup);
        if (on) for (const { key: id, value: row } of table.rows.getRange()) putLookup(path, indexKey(path, row, id), id);
      }
    }
    this.replace(this.catalog.defs, on);
  }

  private def(name: string): TableDef {
    return tableOf(this.catalog.schema, name).def;
  }

  createTable(def: TableDef): void {
    if (this.catalog.schema.has(def.name)) migrationError(`table ${def.name} exists already`, { table: def.name });
    this.replace([...this.catalog.defs, def]);
  }

  dropTable(name: string): void {
    const table = tableOf(this.catalog.schema, name);
    const children = table.referencedBy.filter((r) => r.child.def.name !== name).map((r) => r.child.def.name);
    if (children.length > 0) migrationError(`table ${name} is still referenced by ${children.join(', ')}`, { table: name });
    [table.rows, ...table.indexes.flatMap((i) => (i.lookup ? [i.db, i.lookup] : [i.db]))].forEach(clear);
    this.replace(this.catalog.defs.filter((d) => d.name !== name));
  }

  extendTable(name: string, extension: TableExtension): void {
    const before = this.def(name);
    for (const column of Object.keys(extension.columns ?? {})) {
      if (Object.hasOwn(before.columns, column)) migrationError(`${name}.${column} exists already`, { table: name, column });
    }
    this.replace(this.catalog.defs.map((d) => (d.name === name ? extendTable(d, extension) : d)));
    const table = this.table(name);
    const added = Object.entries(extension.columns ?? {});
    const newIndexes = new Set([...(extension.unique ?? []), ...(extension.indexes ?? [])].map((i) => i.name));
    // New indexes get every row; an index holding its rows gets them anew when columns are added to them.
    const paths = table.indexes.filter((p) => newIndexes.has(p.name) || (p.withRows && added.length > 0));
    const fkColumns = (extension.foreignKeys ?? []).map((f) => f.column);
    for (const { key: id, value } of [...table.rows.getRange()]) {
      const row = { ...value };
      for (const [column, def] of added) {
        row[column] = defaultValue(def, this.now);
        checkValue(table.def, column, row[column]);
      }
      this.checkReferences(table, row, fkColumns);
      for (const path of paths) {
        const key = indexKey(path, row, id);
        if (path.unique) this.checkUnique(path, key, id);
        putEntry(path, key, row);
        putLookup(path, key, id);
      }
      if (added.length > 0) table.rows.put(id, row);
    }
  }

  /**
   * Makes indexes of a table hold their rows in their entries (`withRows`), or no longer: the same keys, each
   * entry's value written anew from its row (or emptied).
   */
  indexRows(name: string, indexes: readonly string[], on: boolean): void {
    const before = this.def(name);
    for (const index of indexes) {
      if (!(before.indexes ?? []).some((i) => i.name === index)) migrationError(`${name} has no index ${index}`, { table: name, constraint: index });
    }
    this.replace(this.catalog.defs.map((d) => (d.name === name ? indexesWithRows(d, indexes, on) : d)));
    const table = this.table(name);
    const paths = table.indexes.filter((p) => indexes.includes(p.name));
    for (const { key: id, value: row } of table.rows.getRange()) {
      for (const path of paths) putEntry(path, indexKey(path, row, id), row);
    }
  }

  /**
   * Changes the definitions of existing columns (a text column made case-insensitive, say): every row is checked
   * against the new definitions and the indexes over those columns are rebuilt, unique ones checked again.
   */
  alterColumns(name: string, columns: Readonly<Record<string, ColumnDef>>): void {
    const before = this.def(name);
    for (const column of Object.keys(columns)) {
      if (!Object.hasOwn(before.columns, column)) migrationError(`${name}.${column} does not exist`, { table: name, column });
    }
    this.replace(this.catalog.defs.map((d) => (d.name === name ? { ...d, columns: { ...d.columns, ...columns } } : d)));
    const table = this.table(name);
    const paths = table.indexes.filter((p) => p.columns.some(({ column }) => Object.hasOwn(columns, column)));
    paths.forEach((p) => [p.db, ...(p.lookup ? [p.lookup] : [])].forEach(clear));
    for (const { key: id, value: row } of [...table.rows.getRange()]) {
      for (const column of Object.keys(columns)) checkValue(table.def, column, row[column]);
      for (const path of paths) {
        const key = indexKey(path, row, id);
        if (path.unique) this.checkUnique(path, key, id);
        putEntry(path, key, row);
        putLookup(path, key, id);
      }
    }
  }

  reduceTable(name: string, extension: TableExtension): void {
    const table = this.table(name);
    const names = new Set([...(extension.unique ?? []), ...(extension.indexes ?? [])].map((i) => i.name));
    table.indexes.filter((p) => names.has(p.name)).forEach((p) => [p.db, ...(p.lookup ? [p.lookup] : [])].forEach(clear));
    const columns = Object.keys(extension.columns ?? {});
    // The indexes that stay and hold their rows get them without the columns taken away.
    const holding = table.withRows.filter((p) => !names.has(p.name));
    if (columns.length > 0) {
      for (const { key: id, value } of [...table.rows.getRange()]) {
        const row = { ...value };
        columns.forEach((c) => delete row[c]);
        table.rows.put(id, row);
        for (const path of holding) putEntry(path, indexKey(path, row, id), row);
      }
    }
    this.replace(this.catalog.defs.map((d) => (d.name === name ? reduceTable(d, extension) : d)));
  }
}

export function clear(db: Database<unknown, Key>): void {
  for (const key of [...db.getKeys()]) db.remove(key);
}

/** Runs migrations against one environment, keeping the catalog and the migrations table in step. */
export class MigrationRunner {
  constructor(
    private readonly env: RootDatabase,
    private readonly meta: Database<unknown, string>,
    private readonly records: Database<MigrationRecord, number>,
    private readonly feed: FeedDb,
    private readonly migrations: readonly Migration[],
    private readonly clock: () => Date,
  ) {
    const versions = migrations.map((m) => m.version);
    if (versions.some((v, i) => !Number.isSafeInteger(v) || v < 1 || (i > 0 && v <= versions[i - 1]!))) {
      migrationError('migration versions must be whole numbers ≥ 1 in increasing order');
    }
    const known = new Set(versions);
    const unknown = this.applied().filter((r) => !known.has(r.version));
    if (unknown.length > 0) {
      migrationError(
        `this profile was migrated to version ${unknown.at(-1)!.version} (${unknown.at(-1)!.name}), which this version of the app does not know; use a newer version`,
        { version: unknown.at(-1)!.version, newerSchema: true },
      );
    }
  }

  /** The catalog as committed. */
  catalog(): Catalog {
    const defs = (this.meta.get('catalog') as TableDef[] | undefined) ?? [];
    const lookups = this.meta.get('lookups') === true;
    return { defs, schema: compileSchema(this.env, defs, lookups), lookups };
  }

  applied(): MigrationRecord[] {
    return [...this.records.getRange()].map(({ value }) => value);
  }

  status(): MigrationStatus[] {
    const applied = new Map(this.applied().map((r) => [r.version, r.applied_at]));
    return this.migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
  }

  /**
   * Applies pending migrations up to `to` (all by default), each in its own transaction. Whether one is pending is
   * decided inside that transaction: another process opening the same profile may have applied it meanwhile.
   */
  async up(to = Infinity): Promise<MigrationStatus[]> {
    for (const migration of this.migrations.filter((m) => m.version <= to)) await this.run(migration, 'up');
    return this.status();
  }

  /** Undoes applied migrations above `to` (the last one by default), newest first. */
  async down(to?: number): Promise<MigrationStatus[]> {
    const target = to ?? (this.applied().at(-2)?.version ?? 0);
    for (const migration of this.migrations.filter((m) => m.version > target).reverse()) await this.run(migration, 'down');
    return this.status();
  }

  private async run(migration: Migration, direction: 'up' | 'down'): Promise<void> {
    const now = this.clock().toISOString();
    await this.env.childTransaction(() => {
      if (this.records.doesExist(migration.version) === (direction === 'up')) return; // done already, or never applied
      const migrator = new Migrator(this.env, this.catalog(), new FeedWriter(this.feed, now), now);
      try {
        migration[direction](migrator);
      } catch (error) {
        if (error instanceof StoreError) {
          throw new StoreError(error.code, `migration ${migration.version} (${migration.name}) ${direction}: ${error.message}`, {
            ...error.details,
            migration: migration.version,
          });
        }
        throw error;
      }
      this.meta.put('catalog', migrator.result.defs);
      this.meta.put('lookups', migrator.result.lookups);
      if (direction === 'up') {
        this.records.put(migration.version, { version: migration.version, name: migration.name, applied_at: now });
      } else {
        this.records.remove(migration.version);
      }
    });
  }
}
