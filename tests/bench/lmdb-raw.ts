/**
 * The floor: the same rows and the same index entries written by hand with lmdb-js, opened as the store opens
 * its environment (same durability). One database per table (msgpack with shared structures, no cache), one per
 * index (`[...values, id]` keys, empty values, or the row itself where the definition says the index holds its
 * rows, encoded with the table's encoder) and a values → id lookup per unique index, as the store keeps them.
 * Each write is one child transaction (the store's unit of isolation too), committed as the store commits: the
 * writes asked for in one event-loop turn in one synchronous write transaction with the store's flags. Nothing else: no type,
 * NOT NULL or CHECK checks, no foreign-key checks on insert, no unique checks, no change feed. Only what an
 * operation needs to be right is done: the rate-limit row is found through the lookup of its (api_key_id, date)
 * unique index, and deleting a user removes its dependents (jobs, memos and each memo's job, usage logs, rate
 * limits, subscription, keys) and nulls references to its keys by hand, as the schema's ON DELETE rules say.
 *
 * Which indexes each table has is read from the same table definitions, so the index entries are the same as
 * the store's; the code that writes and reads them is written out here for these tables.
 */
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase, type TransactionFlags } from 'lmdb';
import { MAXIMUM_KEY, encoder as keyEncoder } from 'ordered-binary';
import { tables, type ApiKey, type Memo, type RateLimit, type TableDef } from '../../src-shared/schema';
import type { Contender, LoadRow, LoadTable } from './contender';
import type { RateCall } from './data';

type Row = Record<string, unknown>;
type IndexKey = Key[];
const EMPTY = Buffer.alloc(0);

interface Index {
  readonly name: string;
  readonly db: Database<Buffer | Row, IndexKey>;
  /** An index that holds its rows: the same database, read for its values alone (keys not decoded). */
  readonly rows: Database<Row, IndexKey> | undefined;
  /** A unique index's values → id (rows with a null among them left out), as the store keeps it. */
  readonly lookup: Database<string, IndexKey> | undefined;
  /** The entry's key for a row: its column values, then the row's id. */
  readonly key: (row: Row, id: string) => IndexKey;
}

interface Table {
  readonly rows: Database<Row, string>;
  readonly indexes: readonly Index[];
  /** The index named so (it must exist in the definitions). */
  index(name: string): Index;
}

function keyFn(columns: readonly string[]): Index['key'] {
  const [a, b, c] = columns as [string, string?, string?];
  // Nulls are keyed as null (ordered-binary puts them first), as the store keys them.
  if (columns.length === 1) return (row, id) => [(row[a] ?? null) as Key, id];
  if (columns.length === 2) return (row, id) => [(row[a] ?? null) as Key, (row[b!] ?? null) as Key, id];
  if (columns.length === 3) return (row, id) => [(row[a] ?? null) as Key, (row[b!] ?? null) as Key, (row[c!] ?? null) as Key, id];
  return (row, id) => [...columns.map((col) => (row[col] ?? null) as Key), id];
}

/** Keys read back as nothing, for ranges read for their values alone (lmdb-js's `keyEncoder`). */
const valuesOnly = { writeKey: keyEncoder.writeKey, readKey: () => null, enableNullTermination: keyEncoder.enableNullTermination };

function openTable(env: RootDatabase, def: TableDef): Table {
  const rows = env.openDB<Row, string>(`t:${def.name}`, { sharedStructuresKey: Symbol.for('structures'), cache: false });
  // An index holding its rows encodes them with the table's own encoder (its shared structures).
  const withRows = (name: string, keys?: typeof valuesOnly) =>
    env.openDB<Row, IndexKey>(name, { encoder: (rows as unknown as { encoder: unknown }).encoder, cache: false, keyEncoder: keys } as Parameters<RootDatabase['openDB']>[1]);
  const specs = [
    ...(def.unique ?? []).map((u) => ({ name: u.name, columns: u.columns, unique: true, withRows: false })),
    ...(def.indexes ?? []).map((i) => ({ name: i.name, columns: i.columns.map((c) => c.column), unique: false, withRows: i.withRows === true })),
  ];
  const indexes = specs.map((spec): Index => {
    const name = `i:${def.name}.${spec.name}`;
    return {
      name: spec.name,
      db: spec.withRows ? withRows(name) : env.openDB<Buffer, IndexKey>(name, { encoding: 'binary', cache: false }),
      rows: spec.withRows ? withRows(name, valuesOnly) : undefined,
      lookup: spec.unique ? env.openDB<string, IndexKey>(`u:${def.name}.${spec.name}`, { cache: false }) : undefined,
      key: keyFn(spec.columns),
    };
  });
  const byName = new Map(indexes.map((i) => [i.name, i]));
  return {
    rows,
    indexes,
    index: (name) => byName.get(name) ?? assertNever(`${def.name} has no index ${name}`),
  };
}

function assertNever(message: string): never {
  throw new Error(`lmdb-raw: ${message} (the bench is out of step with the schema)`);
}

/** A unique index entry's values, or undefined when one is null (such rows are not in the lookup). */
function lookupKey(key: IndexKey): IndexKey | undefined {
  const values = key.slice(0, -1);
  return values.includes(null as never) ? undefined : values;
}

function put(table: Table, id: string, row: Row): void {
  table.rows.put(id, row);
  for (const index of table.indexes) {
    const key = index.key(row, id);
    index.db.put(key, index.rows ? row : EMPTY);
    const values = index.lookup && lookupKey(key);
    if (values) index.lookup!.put(values, id);
  }
}

function remove(table: Table, id: string, row: Row): void {
  for (const index of table.indexes) {
    const key = index.key(row, id);
    index.db.remove(key);
    const values = index.lookup && lookupKey(key);
    if (values) index.lookup!.remove(values);
  }
  table.rows.remove(id);
}

/** Ids of the entries of `index` whose leading values are `prefix`. */
function idsOf(index: Index, prefix: Key[], limit?: number): string[] {
  const ids: string[] = [];
  const keys = index.db.getKeys({ start: prefix, end: [...prefix, MAXIMUM_KEY], ...(limit !== undefined && { limit }) });
  for (const key of keys) ids.push(key[key.length - 1] as string);
  return ids;
}

/**
 * The store's commit flags (see COMMIT_FLAGS in src-main/db/store.ts): abortable, synchronous, MDB_NOSYNC and
 * MDB_NOMETASYNC; with the patched build the flush runs after the commit on a libuv thread (`env.sync`), as the store's.
 */
const COMMIT_FLAGS = (1 | 2 | 0x10000 | 0x40000) as TransactionFlags;

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class LmdbRaw implements Contender {
  readonly name = 'lmdb-js';
  private env!: RootDatabase;
  private queued: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private t!: Record<LoadTable | 'rate_limits' | 'subscriptions' | 'jobs', Table>;
  // The indexes the operations read, looked up once.
  private ix!: {
    memosByUserCreated: Index;
    memosByUser: Index;
    memosByKey: Index;
    keysByHash: Index;
    keysByUser: Index;
    logsByUser: Index;
    logsByKey: Index;
    rateByKeyDate: Index;
    rateByUser: Index;
    rateByDate: Index;
    subsByUser: Index;
    jobsByUser: Index;
    jobsByMemo: Index;
  };

  async open(dir: string): Promise<void> {
    this.env = open({ path: join(dir, 'raw.mdb'), maxDbs: 512, eventTurnBatching: false });
    const def = (name: string) => tables.find((d) => d.name === name) ?? assertNever(`no table ${name}`);
    const t = {
      users: openTable(this.env, def('users')),
      api_keys: openTable(this.env, def('api_keys')),
      memos: openTable(this.env, def('memos')),
      usage_logs: openTable(this.env, def('usage_logs')),
      rate_limits: openTable(this.env, def('rate_limits')),
      subscriptions: openTable(this.env, def('subscriptions')),
      jobs: openTable(this.env, def('jobs')),
    };
    this.t = t;
    this.ix = {
      memosByUserCreated: t.memos.index('idx_memos_user_created'),
      memosByUser: t.memos.index('idx_memos_user_id'),
      memosByKey: t.memos.index('idx_memos_api_key_id'),
      keysByHash: t.api_keys.index('api_keys_key_hash_unique'),
      keysByUser: t.api_keys.index('idx_api_keys_user_id'),
      logsByUser: t.usage_logs.index('idx_usage_logs_user_id'),
      logsByKey: t.usage_logs.index('idx_usage_logs_api_key_id'),
      rateByKeyDate: t.rate_limits.index('rate_limits_key_date_unique'),
      rateByUser: t.rate_limits.index('idx_rate_limits_user_date'),
      rateByDate: t.rate_limits.index('idx_rate_limits_date'),
      subsByUser: t.subscriptions.index('subscriptions_user_id_unique'),
      jobsByUser: t.jobs.index('idx_jobs_user_id'),
      jobsByMemo: t.jobs.index('jobs_memo_id_unique'),
    };
  }

  /** Runs `write` in a child transaction of the next group commit; resolves with its result once committed. */
  private transaction<R>(write: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.queued.length === 1) setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const batch = this.queued;
    this.queued = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.env.transactionSync(() => {
        for (const { write } of batch) {
          try {
            outcomes.push({ ok: true, value: this.env.childTransaction(write) as unknown });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      }, COMMIT_FLAGS);
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    this.flush();
    batch.forEach(({ resolve, reject }, i) => (outcomes[i]!.ok ? resolve : reject)(outcomes[i]!.value));
  }

  /** One background flush at a time; commits made meanwhile are flushed by the next. */
  private flush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    const env = this.env as unknown as { sync(callback: (error?: unknown) => void): void };
    this.flushing = new Promise<void>((resolve, reject) => env.sync((error) => (error ? reject(error as Error) : resolve()))).then(() => {
      this.flushing = undefined;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.flush();
      }
    });
  }

  async load(table: LoadTable, rows: readonly LoadRow[]): Promise<void> {
    const target = this.t[table];
    await this.transaction(() => {
      for (const row of rows) put(target, row.id, row as Row);
    });
  }

  async insertMemo(memo: Memo): Promise<void> {
    await this.transaction(() => put(this.t.memos, memo.id, memo));
  }

  async insertMemos(batch: readonly Memo[]): Promise<void> {
    await this.transaction(() => {
      for (const memo of batch) put(this.t.memos, memo.id, memo);
    });
  }

  getMemo(id: string): Memo | undefined {
    return this.t.memos.rows.get(id) as Memo | undefined;
  }

  newestMemos(userId: string, limit: number): Memo[] {
    const out: Memo[] = [];
    const index = this.ix.memosByUserCreated;
    const range = { start: [userId, MAXIMUM_KEY], end: [userId], reverse: true, limit };
    if (index.rows) {
      // The index holds the memos: one range of it.
      for (const { value } of index.rows.getRange(range)) out.push(value as Memo);
    } else {
      for (const key of index.db.getKeys(range)) out.push(this.t.memos.rows.get(key[2] as string) as Memo);
    }
    return out;
  }

  apiKeyByHash(hash: string): ApiKey | undefined {
    const id = this.ix.keysByHash.lookup!.get([hash]);
    return id === undefined ? undefined : (this.t.api_keys.rows.get(id) as ApiKey | undefined);
  }

  rateLimitHit(call: RateCall): Promise<boolean> {
    return this.transaction(() => {
      const rates = this.t.rate_limits;
      const id = this.ix.rateByKeyDate.lookup!.get([call.apiKeyId, call.date]);
      const row = id === undefined ? undefined : (rates.rows.get(id) as RateLimit | undefined);
      const count = row?.count ?? 0;
      if (count >= call.limit) return false;
      const now = new Date().toISOString();
      if (row) {
        // Only count and updated_at change: no indexed column moves.
        rates.rows.put(row.id, { ...row, count: count + 1, updated_at: now });
      } else {
        const fresh: RateLimit = {
          id: call.newId,
          api_key_id: call.apiKeyId,
          user_id: call.userId,
          date: call.date,
          count: 1,
          created_at: now,
          updated_at: now,
        };
        put(rates, fresh.id, fresh);
      }
      return true;
    });
  }

  async deleteUser(id: string): Promise<void> {
    await this.transaction(() => {
      const { users, memos, usage_logs, api_keys, rate_limits, subscriptions, jobs } = this.t;
      const user = users.rows.get(id);
      if (!user) return;
      const cascade = (table: Table, index: Index, parentId: string, then?: (childId: string) => void) => {
        for (const childId of idsOf(index, [parentId])) {
          then?.(childId);
          remove(table, childId, table.rows.get(childId)!);
        }
      };
      // Children before the rows they reference: a row goes once, and is never nulled on its way out.
      cascade(jobs, this.ix.jobsByUser, id);
      // A memo takes its job (jobs.memo_id cascades), should one of another user point at it.
      cascade(memos, this.ix.memosByUser, id, (memoId) => cascade(jobs, this.ix.jobsByMemo, memoId));
      cascade(usage_logs, this.ix.logsByUser, id);
      cascade(rate_limits, this.ix.rateByUser, id);
      cascade(subscriptions, this.ix.subsByUser, id);
      // The user's keys go too; rows of other users billed to them keep their row with a null key.
      const setNull = (table: Table, index: Index, keyId: string) => {
        for (const childId of idsOf(index, [keyId])) {
          const row = table.rows.get(childId)!;
          remove(table, childId, row);
          put(table, childId, { ...row, api_key_id: null });
        }
      };
      for (const keyId of idsOf(this.ix.keysByUser, [id])) {
        setNull(memos, this.ix.memosByKey, keyId);
        setNull(usage_logs, this.ix.logsByKey, keyId);
        remove(api_keys, keyId, api_keys.rows.get(keyId)!);
      }
      remove(users, id, user);
    });
  }

  count(table: LoadTable | 'rate_limits', userId?: string): number {
    const byUser: Record<LoadTable | 'rate_limits', Index | undefined> = {
      users: undefined,
      memos: this.ix.memosByUser,
      usage_logs: this.ix.logsByUser,
      api_keys: this.ix.keysByUser,
      rate_limits: this.ix.rateByUser,
    };
    const index = byUser[table];
    if (userId === undefined) return this.t[table].rows.getCount();
    if (!index) return this.t[table].rows.get(userId) ? 1 : 0;
    return index.db.getCount({ start: [userId], end: [userId, MAXIMUM_KEY] });
  }

  rateTotal(date: string): number {
    let n = 0;
    for (const id of idsOf(this.ix.rateByDate, [date])) n += (this.t.rate_limits.rows.get(id) as RateLimit).count ?? 0;
    return n;
  }

  async settle(): Promise<void> {
    await this.env.flushed;
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    // lmdb-js closing in the same turn as a synchronous commit would deadlock.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.flushing) await this.flushing;
    await this.env.close();
  }
}
