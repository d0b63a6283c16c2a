/**
 * Reads the service's earlier SQLite database (see AGENT-TALK-CLOUD.md) with sql.js, SQLite compiled to WASM:
 * no native module whose ABI must match Electron's. The file is read into memory, with its -wal file applied,
 * so the user's file is never written to.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { LegacyImportError } from './errors';
import { applyWal } from './wal';

/** The legacy tables and the columns the import reads, parents before children. */
export const LEGACY_TABLES = {
  users: ['id', 'email', 'password_hash', 'tier', 'role', 'created_at', 'updated_at'],
  api_keys: ['id', 'user_id', 'key_hash', 'prefix', 'name', 'usage_count', 'last_used_at', 'is_active', 'created_at'],
  memos: ['id', 'user_id', 'api_key_id', 'text', 'voice', 'audio_url', 'duration_seconds', 'character_count', 'created_at'],
  usage_logs: ['id', 'user_id', 'api_key_id', 'action', 'metadata', 'created_at'],
  subscriptions: [
    'id',
    'user_id',
    'stripe_customer_id',
    'stripe_subscription_id',
    'status',
    'tier',
    'current_period_start',
    'current_period_end',
    'cancel_at_period_end',
    'created_at',
    'updated_at',
  ],
} as const;

export type LegacyTable = keyof typeof LEGACY_TABLES;
// `| 'id'`: every table has one, but TypeScript cannot see it in the columns of a generic table.
export type LegacyRow<T extends LegacyTable> = Readonly<Record<(typeof LEGACY_TABLES)[T][number] | 'id', SqlValue>>;

/** Added by a later migration of the service: older files lack it. */
const OPTIONAL_TABLES: ReadonlySet<LegacyTable> = new Set(['subscriptions']);

export type LegacyData = { [T in LegacyTable]: LegacyRow<T>[] };

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

let sqlJs: Promise<SqlJsStatic> | undefined;

function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlJs) {
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
    sqlJs = (require('sql.js') as typeof import('sql.js'))({ locateFile: () => wasm });
  }
  return sqlJs;
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LegacyImportError('NOT_FOUND', `${file}: no such file`, { file });
    throw new LegacyImportError('UNREADABLE', `${file}: cannot be read (${(error as Error).message})`, { file });
  }
}

function all(db: Database, sql: string): Record<string, SqlValue>[] {
  const statement = db.prepare(sql);
  try {
    const rows: Record<string, SqlValue>[] = [];
    while (statement.step()) rows.push(statement.getAsObject());
    return rows;
  } finally {
    statement.free();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every row of the legacy tables, in insertion order. Throws a LegacyImportError if the file is not one. */
export async function readLegacyDatabase(file: string): Promise<LegacyData> {
  const main = await readBytes(file);
  const wal = await readBytes(`${file}-wal`).catch((error: unknown) => {
    if (error instanceof LegacyImportError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  });
  const bytes = wal ? applyWal(main, wal) : main;
  if (bytes.length === 0) throw new LegacyImportError('NOT_SQLITE', `${file} is empty, not an SQLite database`, { file });
  if (bytes.length < 100 || !SQLITE_MAGIC.equals(bytes.subarray(0, SQLITE_MAGIC.length))) {
    throw new LegacyImportError('NOT_SQLITE', `${file} is not an SQLite database`, { file });
  }
  // Bytes 18-19 = 2 mark a WAL database. The log is applied already: opened as a rollback-journal database,
  // SQLite needs no -wal or -shm file in sql.js's memory file system.
  if (bytes[18] === 2) bytes.set([1, 1], 18);

  const SQL = await loadSqlJs();
  const db = new SQL.Database(bytes);
  try {
    return readTables(db, file);
  } catch (error) {
    if (error instanceof LegacyImportError) throw error;
    throw new LegacyImportError('NOT_SQLITE', `${file} is not a readable SQLite database (${(error as Error).message})`, { file });
  } finally {
    db.close();
  }
}

function readTables(db: Database, file: string): LegacyData {
  const present = new Set(all(db, `SELECT name FROM sqlite_master WHERE type = 'table'`).map((r) => r.name as string));
  const tables = Object.keys(LEGACY_TABLES) as LegacyTable[];
  const missing = tables.filter((t) => !present.has(t) && !OPTIONAL_TABLES.has(t));
  if (missing.length > 0) {
    throw new LegacyImportError('NOT_AGENT_TALK', `${file} is not an agent-talk database: it has no ${missing.join(', ')} table`, {
      file,
      missing,
    });
  }
  const data = {} as Record<LegacyTable, Record<string, SqlValue>[]>;
  for (const table of tables) {
    if (!present.has(table)) {
      data[table] = [];
      continue;
    }
    const columns = new Set(all(db, `PRAGMA table_info(${quote(table)})`).map((c) => c.name as string));
    const absent = LEGACY_TABLES[table].filter((c) => !columns.has(c));
    if (absent.length > 0) {
      throw new LegacyImportError(
        'NOT_AGENT_TALK',
        `${file} is not an agent-talk database: its ${table} table has no ${absent.join(', ')} column`,
        { file, table, missing: absent },
      );
    }
    data[table] = all(db, `SELECT ${LEGACY_TABLES[table].map(quote).join(', ')} FROM ${quote(table)} ORDER BY rowid`);
  }
  return data as LegacyData;
}
