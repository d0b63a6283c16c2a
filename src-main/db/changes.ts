/**
 * The change feed: every committed write appends entries numbered 1, 2, 3, ... in the same transaction as the
 * write, so a row and its entry commit or vanish together. It drives live updates and is the sync outbox.
 */
import type { Database } from 'lmdb';
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

const APPEND = { append: true } as const;

/** The number of the last entry this process wrote: a guess at the feed's end, checked before it is used. */
export interface FeedHint {
  last?: number;
}

/** Appends entries inside a write transaction, numbering them after the last committed one. */
export class FeedWriter {
  private next: number | undefined;
  readonly appended: ChangeEntry[] = [];

  constructor(
    private readonly db: FeedDb,
    private readonly at: string,
    private readonly origin?: string,
    private readonly hint: FeedHint = {},
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
    // Numbers only grow, so the entry goes at the end (LMDB's MDB_APPEND: no search, full pages). lmdb-js's putSync
    // says whether it wrote (its README; its types say void): an entry not after the last would be a numbering bug.
    if (!(this.db.putSync(seq, entry, APPEND) as unknown as boolean)) {
      throw new Error(`change feed: entry ${seq} is not after the last entry (a numbering bug; nothing is written)`);
    }
    this.appended.push(entry);
    this.hint.last = entry.seq;
  }

  /**
   * The feed's last number. Numbers follow each other without gaps at the end, so when the hinted entry exists
   * and the next does not, the hint is the end (two gets, where finding the end costs a cursor); a hint from a
   * write rolled back, or overtaken by another process's, fails the check and the end is read.
   */
  private end(): number {
    const { last } = this.hint;
    if (last !== undefined && this.db.doesExist(last) && !this.db.doesExist(last + 1)) return last;
    return lastSeq(this.db);
  }
}

export function readChanges(db: FeedDb, afterSeq: number, limit: number): ChangeEntry[] {
  return [...db.getRange({ start: afterSeq + 1, limit })].map(({ value }) => value);
}

export function lastSeq(db: FeedDb): number {
  return ([...db.getKeys({ reverse: true, limit: 1 })][0] as number | undefined) ?? 0;
}
