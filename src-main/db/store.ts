/**
 * The store: one LMDB environment holding the tables of a schema given as data. Reads are synchronous; writes
 * run in lmdb-js's batched asynchronous transactions (each caller's callback in a child transaction, so one
 * failing caller never takes others down) and resolve only once committed and flushed.
 */
import { truncateSync } from 'node:fs';
import { constants } from 'node:os';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { InsertOf, RowOf, TableDef } from '../../src-shared/schema';
import { FeedWriter, lastSeq, readChanges, type ChangeEntry, type ChangeListener, type FeedDb, type FeedHint } from './changes';
import { StoreError } from './errors';
import { HealthMonitor, isCommitFailure, type HealthListener, type StoreHealth } from './health';
import { checkIntegrity, rebuildIndexes, type IntegrityReport } from './integrity';
import { MigrationRunner, createTables, type Catalog, type Migration, type MigrationRecord, type MigrationStatus } from './migrate';
import type { Plan, QueryOptions } from './query';
import type { Row } from './rows';
import { inspectStoreFile } from './store-file';
import { checkDefinitions } from './schema';
import { Reader, Writer, type DeleteResult } from './writer';

type Names<T extends readonly TableDef[]> = T[number]['name'];
/** The definition of table N; for a schema whose names are not literal, any definition. */
type Def<T extends readonly TableDef[], N> = string extends Names<T> ? T[number] : Extract<T[number], { name: N }>;
type Columns<D extends TableDef> = Extract<keyof D['columns'], string>;

export type WhereOf<D extends TableDef> = {
  [K in Columns<D>]?:
    | RowOf<D>[K]
    | { gt?: RowOf<D>[K]; gte?: RowOf<D>[K]; lt?: RowOf<D>[K]; lte?: RowOf<D>[K] }
    | { in: readonly RowOf<D>[K][] };
};
/** `orderBy`: a column (with `order`), or several, each optionally with its direction: `['priority desc', 'created_at']`. */
export type OptionsOf<D extends TableDef> = QueryOptions & {
  orderBy?: Columns<D> | readonly (Columns<D> | `${Columns<D>} ${'asc' | 'desc'}`)[];
};

/** Reads, typed by the schema the store was opened with. */
export interface TypedReader<T extends readonly TableDef[]> {
  get<N extends Names<T>>(table: N, id: string): RowOf<Def<T, N>> | undefined;
  query<N extends Names<T>>(table: N, where?: WhereOf<Def<T, N>>, options?: OptionsOf<Def<T, N>>): RowOf<Def<T, N>>[];
  list<N extends Names<T>>(table: N, options?: OptionsOf<Def<T, N>>): RowOf<Def<T, N>>[];
  count<N extends Names<T>>(table: N, where?: WhereOf<Def<T, N>>): number;
  explain<N extends Names<T>>(table: N, where?: WhereOf<Def<T, N>>, options?: OptionsOf<Def<T, N>>): Plan;
}

/** The operations of one transaction: synchronous, committed together or not at all. */
export interface Transaction<T extends readonly TableDef[]> extends TypedReader<T> {
  insert<N extends Names<T>>(table: N, doc: InsertOf<Def<T, N>>): RowOf<Def<T, N>>;
  update<N extends Names<T>>(table: N, id: string, patch: Partial<RowOf<Def<T, N>>>): RowOf<Def<T, N>>;
  /**
   * `update` of a row this transaction has read (as `get` or `query` returned it, unchanged): the same checks and
   * result without reading the row again. A row read in another transaction goes through `update`.
   */
  updateRow<N extends Names<T>>(table: N, row: RowOf<Def<T, N>>, patch: Partial<RowOf<Def<T, N>>>): RowOf<Def<T, N>>;
  delete<N extends Names<T>>(table: N, id: string): DeleteResult;
}

export interface TransactionOptions {
  origin?: string;
}

export interface Store<T extends readonly TableDef[] = readonly TableDef[]> extends TypedReader<T> {
  readonly path: string;
  insert<N extends Names<T>>(table: N, doc: InsertOf<Def<T, N>>): Promise<RowOf<Def<T, N>>>;
  update<N extends Names<T>>(table: N, id: string, patch: Partial<RowOf<Def<T, N>>>): Promise<RowOf<Def<T, N>>>;
  delete<N extends Names<T>>(table: N, id: string): Promise<DeleteResult>;
  /**
   * Runs `fn` in one write transaction; resolves with its result once committed. `fn` must be synchronous.
   * `origin` tags the transaction's change feed entries.
   */
  transaction<R>(fn: (tx: Transaction<T>) => R, options?: TransactionOptions): Promise<R>;
  /** Change feed entries after `afterSeq`, oldest first. */
  changes(afterSeq?: number, limit?: number): ChangeEntry[];
  lastChangeSeq(): number;
  /** Called after each commit with its entries; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /** Whether the store can save now: `ok`, `retrying` after a failed commit, or `disk-full`. */
  health(): StoreHealth;
  /** Called when the health state changes; returns the unsubscribe function. */
  onHealth(listener: HealthListener): () => void;
  /** Reads everything and lists any broken invariant (none in a healthy store). */
  checkIntegrity(): string[];
  /** Checks the invariants, reading at most `limit` rows and entries per table and index (all by default). */
  verify(options?: { limit?: number }): IntegrityReport;
  /** Writes every index anew from the rows in one transaction, then checks everything again. */
  rebuildIndexes(): Promise<IntegrityReport>;
  /** Writes a consistent copy of the store as it is now to `path` (a new file), while it stays in use. */
  backup(path: string): Promise<void>;
  readonly migrations: {
    status(): MigrationStatus[];
    up(to?: number): Promise<MigrationStatus[]>;
    down(to?: number): Promise<MigrationStatus[]>;
  };
  close(): Promise<void>;
}

export interface OpenStoreOptions<T extends readonly TableDef[]> {
  /** The LMDB data file (its lock file sits beside it). */
  path: string;
  /** The tables the caller expects: after migrations the store's catalog must be exactly these. */
  tables: T;
  /** Defaults to one migration creating `tables`. */
  migrations?: readonly Migration[];
  /** Apply pending migrations at open (default). The migration command line opens with false. */
  migrate?: boolean;
  /** The clock behind `now` defaults and timestamps; injectable for tests. */
  clock?: () => Date;
}

/** A canonical form of definitions, so that two equal schemas compare equal whatever their key order. */
function canonical(defs: readonly TableDef[]): string {
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sort((value as Record<string, unknown>)[k])]))
        : value;
  return JSON.stringify(
    [...defs]
      .map((d) => ({ unique: [], foreignKeys: [], indexes: [], ...d }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(sort),
  );
}

/**
 * Tells one listener about a commit. The write has committed whatever a listener does: one that throws is
 * logged, and neither fails the write nor keeps the other listeners from hearing of it.
 */
function notify(listener: ChangeListener, entries: readonly ChangeEntry[]): void {
  try {
    listener(entries);
  } catch (error) {
    console.error('a change listener failed after a commit (the write stands):', error);
  }
}

class LmdbStore extends Reader {
  private catalog: Catalog;
  private readonly listeners = new Set<ChangeListener>();
  private readonly feedHint: FeedHint = {};
  private readonly monitor: HealthMonitor;
  readonly migrations: Store['migrations'];

  constructor(
    readonly path: string,
    private readonly env: RootDatabase,
    private readonly feed: FeedDb,
    private readonly runner: MigrationRunner,
    private readonly clock: () => Date,
    meta: Database<unknown, string>,
  ) {
    super(() => this.catalog.schema);
    this.catalog = runner.catalog();
    // The probe after a failed commit: one small write of the store's own, outside the refusal of a full disk.
    this.monitor = new HealthMonitor(path, async () => {
      await env.childTransaction(() => meta.put('health.probe', this.clock().toISOString()));
    });
    const reload = async (step: Promise<MigrationStatus[]>) => {
      const status = await step;
      this.catalog = runner.catalog();
      return status;
    };
    this.migrations = {
      status: () => runner.status(),
      up: (to) => reload(runner.up(to)),
      down: (to) => reload(runner.down(to)),
    };
  }

  async transaction<R>(fn: (tx: Writer) => R, options: TransactionOptions = {}): Promise<R> {
    this.monitor.assertWritable();
    const now = this.clock().toISOString();
    let feed: FeedWriter | undefined;
    let result: unknown;
    try {
      result = await this.env.childTransaction(() => {
        feed = new FeedWriter(this.feed, now, options.origin, this.feedHint);
        const value = fn(new Writer(this.schema, feed, now));
        if (value instanceof Promise) throw new TypeError('a store transaction callback must be synchronous');
        return value;
      });
    } catch (error) {
      // The whole batch failed to commit: this write changed nothing, and may succeed if tried again.
      if (isCommitFailure(error)) throw await this.monitor.failed(error);
      throw error;
    }
    this.monitor.committed();
    const entries = feed!.appended;
    if (entries.length > 0) this.listeners.forEach((listener) => notify(listener, entries));
    return result as R;
  }

  insert(table: string, doc: Row): Promise<Row> {
    return this.transaction((tx) => tx.insert(table, doc));
  }

  update(table: string, id: string, patch: Row): Promise<Row> {
    return this.transaction((tx) => tx.update(table, id, patch));
  }

  delete(table: string, id: string): Promise<DeleteResult> {
    return this.transaction((tx) => tx.delete(table, id));
  }

  changes(afterSeq = 0, limit = 1000): ChangeEntry[] {
    return readChanges(this.feed, afterSeq, limit);
  }

  lastChangeSeq(): number {
    return lastSeq(this.feed);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(): StoreHealth {
    return this.monitor.current;
  }

  onHealth(listener: HealthListener): () => void {
    return this.monitor.onChange(listener);
  }

  checkIntegrity(): string[] {
    return this.verify().problems;
  }

  verify(options: { limit?: number } = {}): IntegrityReport {
    return checkIntegrity(this.catalog.schema, options);
  }

  async rebuildIndexes(): Promise<IntegrityReport> {
    await this.env.childTransaction(() => rebuildIndexes(this.catalog.schema));
    return this.verify();
  }

  backup(path: string): Promise<void> {
    return this.env.backup(path, false);
  }

  checkCatalog(tables: readonly TableDef[]): void {
    if (canonical(this.catalog.defs) !== canonical(tables)) {
      const stored = new Map(this.catalog.defs.map((d) => [d.name, canonical([d])]));
      const differing = tables.filter((t) => stored.get(t.name) !== canonical([t])).map((t) => t.name);
      const extra = [...stored.keys()].filter((name) => !tables.some((t) => t.name === name));
      throw new StoreError(
        'SCHEMA_ERROR',
        `the store's tables differ from the definitions given (${[...differing, ...extra].join(', ')}): a schema change needs a migration`,
        { tables: [...differing, ...extra] },
      );
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.monitor.close();
    await this.env.close();
  }
}

/**
 * lmdb-js fails an open with a bare errno number (`code: 13`, "Permission denied: Attempting to setup locks"):
 * thrown as Node's own errno errors are (`code: 'EACCES'`, `path`: the lock file or the data file it was opening),
 * so whoever tells the user can say which file may not be written.
 */
function openEnv(path: string): RootDatabase {
  try {
    return open({ path, maxDbs: 512, eventTurnBatching: false });
  } catch (error) {
    const errno = (error as { code?: unknown }).code;
    const name = Object.entries(constants.errno).find(([, value]) => value === errno)?.[0];
    if (typeof errno !== 'number' || !name) throw error;
    const file = /lock/i.test((error as Error).message) ? `${path}-lock` : path;
    throw Object.assign(new Error(`${name}: ${(error as Error).message}, ${file}`, { cause: error }), { code: name, errno: -errno, path: file });
  }
}

export async function openStore<const T extends readonly TableDef[]>(options: OpenStoreOptions<T>): Promise<Store<T>> {
  const { path, tables, migrate = true, clock = () => new Date() } = options;
  // The whole definition is checked before anything is opened or written.
  checkDefinitions(tables);
  const migrations = options.migrations ?? [createTables(1, 'create tables', tables)];
  // LMDB starts an empty store in a missing file; in an empty or damaged one it would do the same, or crash.
  const file = inspectStoreFile(path);
  if (file.kind === 'empty' || file.kind === 'damaged') {
    const reason = file.kind === 'empty' ? 'the store file is empty' : file.reason;
    throw new StoreError('STORE_DAMAGED', `The store cannot be opened: ${reason}.`, { reason });
  }
  // Unwritten free pages at the end: the file grows to the size LMDB counts (zeros, as LMDB itself would extend it),
  // so no read of a page past its end can raise SIGBUS.
  if (file.kind === 'ok' && file.usedPages > file.pages) truncateSync(path, file.usedPages * file.pageSize);
  // Named databases: one per table and per index (see schema.ts), plus the catalog, migrations and change feed.
  // eventTurnBatching off: every write here is an explicit transaction already, and with it on, lmdb-js leaves
  // a promise of its own unhandled when a batch fails to commit (which ends the process).
  const env = openEnv(path);
  try {
    const meta = env.openDB<unknown, string>('meta', {});
    const records = env.openDB<MigrationRecord, number>('migrations', {});
    const feed = env.openDB<ChangeEntry, number>('changes', { sharedStructuresKey: Symbol.for('structures'), cache: false }) as FeedDb;
    const runner = new MigrationRunner(env, meta, records, feed, migrations, clock);
    const store = new LmdbStore(path, env, feed, runner, clock, meta);
    if (migrate) {
      await store.migrations.up();
      store.checkCatalog(tables);
    }
    return store as unknown as Store<T>;
  } catch (error) {
    await env.close();
    throw error;
  }
}

