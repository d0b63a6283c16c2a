/**
 * The store: one LMDB environment holding the tables of a schema given as data. Reads are synchronous; the writes
 * asked for in one event-loop turn are committed together on the main thread (each caller's callback in a child
 * transaction, so one failing caller never takes others down) and resolve once committed; the flush to disk
 * follows on a libuv thread (see COMMIT_FLAGS).
 */
import { truncateSync } from 'node:fs';
import { constants } from 'node:os';
import { open, type Database, type RootDatabase, type TransactionFlags } from 'lmdb';
import type { InsertOf, RowOf, TableDef } from '../../src-shared/schema';
import { FeedWriter, lastSeq, readChanges, type ChangeEntry, type ChangeListener, type FeedDb, type FeedHint } from './changes';
import { StoreError } from './errors';
import { HealthMonitor, commitFailure, type HealthListener, type StoreHealth } from './health';
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

/** lmdb-js's flush of the commits so far on a libuv thread (not in its types). */
interface Flushable {
  sync(callback: (error?: unknown) => void): void;
}

interface Queued {
  fn: (tx: Writer) => unknown;
  origin: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The group commit's flags (lmdb-js's beginTxn): abortable (1), committed by this thread even while lmdb-js's
 * write thread has a batch open (2), MDB_NOSYNC (0x10000) and MDB_NOMETASYNC (0x40000). In an overlappingSync
 * environment a MDB_NOSYNC commit writes its meta page marked unflushed; LMDB reuses no page a flushed commit may
 * still need, and after a power cut opens at the last flushed meta, consistent. Our patched build
 * (scripts/lmdb-patch.mjs) leaves the flush of a commit begun with both flags to `flush()` (lmdb-js's `env.sync`,
 * on a libuv thread), so the main thread never waits for the disk; the unpatched build flushes in the commit call.
 * Either way a commit that returned is in the OS's cache: a killed process loses none of it.
 */
const COMMIT_FLAGS = (1 | 2 | 0x10000 | 0x40000) as TransactionFlags;

class LmdbStore extends Reader {
  private catalog: Catalog;
  private readonly listeners = new Set<ChangeListener>();
  private readonly feedHint: FeedHint = {};
  private readonly monitor: HealthMonitor;
  /** Transactions waiting for the next group commit. */
  private queued: Queued[] = [];
  private closing = false;
  /** The background flush running (`env.sync`), and whether commits came after it started. */
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
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
      await this.enqueue(() => meta.putSync('health.probe', this.clock().toISOString()), undefined);
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

  transaction<R>(fn: (tx: Writer) => R, options: TransactionOptions = {}): Promise<R> {
    try {
      this.monitor.assertWritable();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(fn, options.origin);
  }

  /** Queues `fn` for the next group commit (outside the refusal of a full disk: the health probe comes here too). */
  private enqueue<R>(fn: (tx: Writer) => R, origin: string | undefined): Promise<R> {
    if (this.closing) return Promise.reject(new StoreError('STORE_CLOSED', 'The store is closed: nothing was written.'));
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ fn, origin, resolve: resolve as (value: unknown) => void, reject });
      if (this.queued.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  /**
   * One group commit: every transaction queued in the last event-loop turn, each in its own child transaction
   * (one that throws changes nothing and fails no other), in one main-thread write transaction, committed once.
   * Then each promise settles, and the listeners hear of what committed.
   */
  private commitQueued(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const now = this.clock().toISOString();
    const outcomes: ({ ok: true; value: unknown; entries: readonly ChangeEntry[] } | { ok: false; error: unknown })[] = [];
    try {
      this.env.transactionSync(() => {
        for (const { fn, origin } of batch) {
          const feed = new FeedWriter(this.feed, now, origin, this.feedHint);
          try {
            // Nested in the open write transaction, lmdb-js runs this as a synchronous child transaction.
            const value = this.env.childTransaction(() => {
              const result = fn(new Writer(this.schema, feed, now));
              if (result instanceof Promise) throw new TypeError('a store transaction callback must be synchronous');
              return result;
            }) as unknown;
            outcomes.push({ ok: true, value, entries: feed.appended });
          } catch (error) {
            this.reloadSharedStructures();
            outcomes.push({ ok: false, error });
          }
        }
      }, COMMIT_FLAGS);
    } catch (cause) {
      this.reloadSharedStructures();
      // The commit failed: nothing of the batch was written, and each of its writes may succeed if tried again.
      const failure = this.monitor.failed(commitFailure(cause));
      for (const { reject } of batch) failure.then(reject, reject);
      return;
    }
    this.monitor.committed();
    this.flush();
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) return reject(outcome.error);
      resolve(outcome.value);
      if (outcome.entries.length > 0) this.listeners.forEach((listener) => notify(listener, outcome.entries));
    });
  }

  /**
   * msgpackr adds a new shape of record (a shared structure) in memory and saves it in the write transaction that
   * first encodes one; a transaction rolled back takes the save with it, and a later record of that shape would be
   * written pointing at a structure the file lacks: unreadable once the store is reopened. After a rollback the
   * encoders (the feed's, each table's) reload the saved structures before their next record.
   */
  private reloadSharedStructures(): void {
    for (const db of [this.feed, ...[...this.schema().values()].map((table) => table.rows)]) {
      const { structures } = (db as unknown as { encoder?: { structures?: { uninitialized?: boolean } } }).encoder ?? {};
      if (structures) structures.uninitialized = true;
    }
  }

  /**
   * Flushes the commits so far to disk on a libuv thread (one at a time; commits made meanwhile are flushed by
   * the next). A flush that fails is a failed save: the health monitor says so and probes until one succeeds.
   */
  private flush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = new Promise<void>((resolve) => {
      (this.env as unknown as Flushable).sync((error?: unknown) => {
        if (error) void this.monitor.failed(commitFailure(error));
        resolve();
      });
    }).then(() => {
      this.flushing = undefined;
      if (this.flushAgain && !this.closing) {
        this.flushAgain = false;
        this.flush();
      }
    });
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
    await this.env.childTransaction(() => rebuildIndexes(this.env, this.catalog.schema));
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
    this.closing = true;
    // What is queued commits first; lmdb-js closing in the same turn as a synchronous commit would deadlock.
    if (this.queued.length > 0) this.commitQueued();
    await new Promise((resolve) => setImmediate(resolve));
    // lmdb-js flushes the last commits as it closes the environment.
    await this.flushing;
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

