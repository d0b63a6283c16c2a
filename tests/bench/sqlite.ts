/**
 * better-sqlite3 with the same schema, generated from the same table definitions: every column with its NOT NULL,
 * DEFAULT and CHECK, every unique constraint, every foreign key with its ON DELETE, every index (the service's and
 * the app's). Foreign keys on; WAL with synchronous=NORMAL: the durability our store's writes have. A commit
 * that returned survives the process being killed (it is in the OS's cache), and after a power cut the file opens
 * consistent, possibly without the last commits (SQLite: "WAL mode is always consistent with synchronous=NORMAL"
 * and durable across application crashes). lmdb-js with overlappingSync, as the store and the hand-written
 * contender open it, promises the same: a commit resolves before its flush, a restarted process (same boot) sees
 * every commit, a restarted machine the last flushed one.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tables, type ApiKey, type ColumnDef, type Memo, type TableDef } from '../../src-shared/schema';
import type { Contender, LoadRow, LoadTable } from './contender';
import type { RateCall } from './data';

const SQL_TYPE: Record<ColumnDef['type'], string> = {
  text: 'TEXT',
  timestamp: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  json: 'TEXT',
};

const literal = (value: string | number | boolean | null): string =>
  value === null ? 'NULL' : typeof value === 'boolean' ? String(Number(value)) : typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;

function columnSql(name: string, def: ColumnDef, table: TableDef): string {
  const parts = [name, SQL_TYPE[def.type]];
  if (name === table.primaryKey) parts.push('PRIMARY KEY');
  if (def.notNull) parts.push('NOT NULL');
  if (def.default === 'now' && def.type === 'timestamp') parts.push(`DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
  else if (def.default !== undefined) {
    parts.push(`DEFAULT ${literal(typeof def.default === 'object' && def.default !== null ? JSON.stringify(def.default) : def.default)}`);
  }
  if (def.caseInsensitive) parts.push('COLLATE NOCASE');
  if (def.oneOf) parts.push(`CHECK (${name} IN (${def.oneOf.map(literal).join(', ')}))`);
  const fk = table.foreignKeys?.find((f) => f.column === name);
  if (fk) {
    const onDelete = fk.onDelete === 'set null' ? 'SET NULL' : fk.onDelete === 'cascade' ? 'CASCADE' : 'RESTRICT';
    parts.push(`REFERENCES ${fk.references}(${tables.find((t) => t.name === fk.references)!.primaryKey}) ON DELETE ${onDelete}`);
  }
  return parts.join(' ');
}

/** The DDL of every table, in the order given (parents first). */
export function schemaSql(defs: readonly TableDef[] = tables): string[] {
  const statements: string[] = [];
  for (const def of defs) {
    const columns = Object.entries(def.columns).map(([name, col]) => columnSql(name, col, def));
    statements.push(`CREATE TABLE ${def.name} (\n  ${columns.join(',\n  ')}\n)`);
    for (const u of def.unique ?? []) statements.push(`CREATE UNIQUE INDEX ${u.name} ON ${def.name} (${u.columns.join(', ')})`);
    for (const i of def.indexes ?? []) {
      const cols = i.columns.map((c) => (c.order === 'desc' ? `${c.column} DESC` : c.column));
      statements.push(`CREATE INDEX ${i.name} ON ${def.name} (${cols.join(', ')})`);
    }
  }
  return statements;
}

type SqlRow = Record<string, string | number | null>;

/** A row as SQLite binds it: booleans as 0/1, json as text. */
function toSql(def: TableDef, row: LoadRow): SqlRow {
  const out: SqlRow = {};
  for (const [name, col] of Object.entries(def.columns)) {
    const value = (row as Record<string, unknown>)[name];
    if (value === undefined || value === null) out[name] = null;
    else if (col.type === 'boolean') out[name] = value ? 1 : 0;
    else if (col.type === 'json') out[name] = JSON.stringify(value);
    else out[name] = value as string | number;
  }
  return out;
}

export class Sqlite implements Contender {
  readonly name = 'sqlite';
  private db!: Database.Database;
  private inserts = new Map<string, Database.Statement>();
  private stmt!: {
    getMemo: Database.Statement<[string], Memo>;
    newest: Database.Statement<[string, number], Memo>;
    keyByHash: Database.Statement<[string], ApiKey>;
    rateRow: Database.Statement<[string, string], { id: string; count: number }>;
    rateUpdate: Database.Statement<[number, string, string]>;
    rateInsert: Database.Statement<[string, string, string, string, string, string]>;
    deleteUser: Database.Statement<[string]>;
  };
  private insertMemoTx!: (memos: readonly Memo[]) => void;
  private rateTx!: (call: RateCall) => boolean;

  async open(dir: string): Promise<void> {
    const db = new Database(join(dir, 'bench.sqlite'));
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A 64 MB page cache rather than the default 2 MB: SQLite at its best, not at its defaults.
    db.pragma('cache_size = -65536');
    db.transaction(() => schemaSql().forEach((sql) => db.exec(sql)))();
    for (const def of tables) {
      const cols = Object.keys(def.columns);
      this.inserts.set(def.name, db.prepare(`INSERT INTO ${def.name} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`));
    }
    this.stmt = {
      getMemo: db.prepare('SELECT * FROM memos WHERE id = ?'),
      newest: db.prepare('SELECT * FROM memos WHERE user_id = ? ORDER BY created_at DESC LIMIT ?'),
      keyByHash: db.prepare('SELECT * FROM api_keys WHERE key_hash = ?'),
      rateRow: db.prepare('SELECT id, count FROM rate_limits WHERE api_key_id = ? AND date = ?'),
      rateUpdate: db.prepare('UPDATE rate_limits SET count = ?, updated_at = ? WHERE id = ?'),
      rateInsert: db.prepare(
        'INSERT INTO rate_limits (id, api_key_id, user_id, date, count, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)',
      ),
      deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    };
    const insertMemo = this.inserts.get('memos')!;
    // Memos have no boolean or json column: they bind as they are.
    this.insertMemoTx = db.transaction((memos: readonly Memo[]) => {
      for (const memo of memos) insertMemo.run(memo);
    });
    const rate = db.transaction((call: RateCall): boolean => {
      const row = this.stmt.rateRow.get(call.apiKeyId, call.date);
      const count = row?.count ?? 0;
      if (count >= call.limit) return false;
      const now = new Date().toISOString();
      if (row) this.stmt.rateUpdate.run(count + 1, now, row.id);
      else this.stmt.rateInsert.run(call.newId, call.apiKeyId, call.userId, call.date, now, now);
      return true;
    });
    // BEGIN IMMEDIATE: the check and the increment under the write lock, as a request handler would.
    this.rateTx = rate.immediate;
  }

  /** The plan SQLite picks for a statement (to check that the bench measures index reads, not scans). */
  plan(sql: string, ...params: unknown[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  }

  async load(table: LoadTable, rows: readonly LoadRow[]): Promise<void> {
    const def = tables.find((t) => t.name === table)!;
    const insert = this.inserts.get(table)!;
    this.db.transaction(() => rows.forEach((row) => insert.run(toSql(def, row))))();
  }

  async insertMemo(memo: Memo): Promise<void> {
    this.insertMemoTx([memo]);
  }

  async insertMemos(batch: readonly Memo[]): Promise<void> {
    this.insertMemoTx(batch);
  }

  getMemo(id: string): Memo | undefined {
    return this.stmt.getMemo.get(id);
  }

  newestMemos(userId: string, limit: number): Memo[] {
    return this.stmt.newest.all(userId, limit);
  }

  apiKeyByHash(hash: string): ApiKey | undefined {
    return this.stmt.keyByHash.get(hash);
  }

  async rateLimitHit(call: RateCall): Promise<boolean> {
    return this.rateTx(call);
  }

  async deleteUser(id: string): Promise<void> {
    this.stmt.deleteUser.run(id);
  }

  count(table: LoadTable | 'rate_limits', userId?: string): number {
    const stmt = this.db.prepare(`SELECT count(*) FROM ${table}${userId === undefined ? '' : ' WHERE user_id = ?'}`).pluck();
    return (userId === undefined ? stmt.get() : stmt.get(userId)) as number;
  }

  rateTotal(date: string): number {
    return (this.db.prepare('SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE date = ?').get(date) as { n: number }).n;
  }

  async settle(): Promise<void> {}

  async close(): Promise<void> {
    this.db.close();
  }
}
