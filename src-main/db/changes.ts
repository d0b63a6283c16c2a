/**
 * The change feed: every committed write appends entries numbered 1, 2, 3, ... in the same transaction as the
 * write, so a row and its entry commit or vanish together. It drives live updates and is the sync outbox.
 */
import type { Database, RootDatabase } from 'lmdb';
import type { Row } from './rows';

export interface ChangeEntry {
  seq: number;
  /** ISO 8601 UTC time of the transaction that made the change. */
  at: string;
  table: string;
  op: 'insert' | 'update' | 'delete';
  id: string;
  /** insert: the whole row; update: the columns that changed, with their new values; delete: absent. */
  values?: Row;
  /** Who wrote it, when the transaction said (device sync marks what it applied, so it never sends it back). */
  origin?: string;
}

export type ChangeListener = (entries: readonly ChangeEntry[]) => void;

export type FeedDb = Database<ChangeEntry, number>;

/**
 * The feed's two databases. `entries` holds every entry up to a number, `recent` the few after it (at most
 * RECENT). Appending to `entries` writes the path down to its end at each commit (a page per level: three for
 * 100,000 entries), where `recent` is a page or so; full, its entries move to `entries` together.
 */
export interface Feed {
  entries: FeedDb;
  recent: FeedDb;
  /** Both again with the values as stored, which the move copies (one encoder encodes both). */
  entryBytes: Database<Buffer, number>;
  recentBytes: Database<Buffer, number>;
}

const RECENT = 8;

/**
 * `recent` is named to sort after every table's name: LMDB's main database keeps the names in order, so a commit
 * writing a table's rows and `recent` rewrites one of its pages for both, where `changes` sorts among the indexes.
 */
export function openFeed(env: RootDatabase): Feed {
  const entries = env.openDB<ChangeEntry, number>('changes', { sharedStructuresKey: Symbol.for('structures'), cache: false });
  // lmdb-js takes `encoder` on openDB as on open (its README); its types list it on open only.
  const { encoder } = entries as unknown as { encoder: unknown };
  const recent = env.openDB<ChangeEntry, number>('~changes', { encoder, cache: false } as Parameters<RootDatabase['openDB']>[1]);
  const bytes = (name: string) => env.openDB<Buffer, number>(name, { encoding: 'binary', cache: false });
  return { entries, recent, entryBytes: bytes('changes'), recentBytes: bytes('~changes') };
}

const APPEND = { append: true } as const;

/**
 * Numbers only grow, so an entry goes at the end (LMDB's MDB_APPEND: no search, full pages). lmdb-js's putSync says
 * whether it wrote (its README; its types say void): an entry not after the last would be a numbering bug.
 */
function appendTo<V>(db: Database<V, number>, seq: number, value: V): void {
  if (!(db.putSync(seq, value, APPEND) as unknown as boolean)) {
    throw new Error(`change feed: entry ${seq} is not after the last entry (a numbering bug; nothing is written)`);
  }
}

/** The number of the last entry this process wrote: a guess at the feed's end, checked before it is used. */
export interface FeedHint {
  last?: number;
}

/**
 * Appends entries inside a write transaction, numbering them after the last committed one. A writer that is
 * `direct` (one of several in a group commit) appends to `entries`; a lone one to `recent`, and to `entries` once
 * `recent` is full (a large transaction).
 */
export class FeedWriter {
  private next: number | undefined;
  readonly appended: ChangeEntry[] = [];

  constructor(
    private readonly feed: Feed,
    private readonly at: string,
    private readonly origin?: string,
    private readonly hint: FeedHint = {},
    private direct = false,
  ) {}

  append(table: string, op: ChangeEntry['op'], id: string, values?: Row): void {
    // Read the last number inside the transaction, so concurrent writers (other processes too) never collide.
    this.next ??= this.end() + 1;
    const seq = this.next++;
    const { at, origin } = this;
    // Object literals, not spreads, with the keys always in this order (the stored record's structure).
    let entry: ChangeEntry;
    if (values) entry = origin ? { seq, at, table, op, id, values, origin } : { seq, at, table, op, id, values };
    else entry = origin ? { seq, at, table, op, id, origin } : { seq, at, table, op, id };
    const { recent } = this.feed;
    if (!this.direct && recent.doesExist(seq - RECENT)) this.direct = true;
    // `recent` holds the entries just before this one, if any: `entries` takes them first, keeping the order.
    if (this.direct && recent.doesExist(seq - 1)) this.moveRecent(seq);
    appendTo(this.direct ? this.feed.entries : recent, seq, entry);
    this.appended.push(entry);
    this.hint.last = entry.seq;
  }

  /** Moves the entries of `recent` (those just before `before`, without gaps) to `entries`, as stored. */
  private moveRecent(before: number): void {
    const { entryBytes, recentBytes } = this.feed;
    // Gets by number, newest first, rather than a cursor: this runs every few commits, too rarely to be optimized.
    const moving: Buffer[] = [];
    for (let bytes; (bytes = recentBytes.getBinary(before - moving.length - 1)) !== undefined; ) moving.push(bytes);
    for (let i = moving.length - 1; i >= 0; i--) appendTo(entryBytes, before - i - 1, moving[i]!);
    // A binary handle: clearing resets its handle's encoder, which `recent` shares with `entries`.
    recentBytes.clearSync();
  }

  /**
   * The feed's last number. Numbers follow each other without gaps at the end, so when the hinted entry exists
   * and the next does not, the hint is the end (a few gets, where finding the end costs a cursor); a hint from a
   * write rolled back, or overtaken by another process's, fails the check and the end is read.
   */
  private end(): number {
    const { last } = this.hint;
    if (last !== undefined && has(this.feed, last) && !has(this.feed, last + 1)) return last;
    return lastSeq(this.feed);
  }
}

const has = (feed: Feed, seq: number) => feed.recent.doesExist(seq) || feed.entries.doesExist(seq);

export function readChanges(feed: Feed, afterSeq: number, limit: number): ChangeEntry[] {
  const found = [...feed.entries.getRange({ start: afterSeq + 1, limit })].map(({ value }) => value);
  if (found.length < limit) {
    for (const { value } of feed.recent.getRange({ start: afterSeq + 1, limit: limit - found.length })) found.push(value);
  }
  return found;
}

const lastKey = (db: FeedDb) => [...db.getKeys({ reverse: true, limit: 1 })][0] as number | undefined;

export function lastSeq(feed: Feed): number {
  return lastKey(feed.recent) ?? lastKey(feed.entries) ?? 0;
}
