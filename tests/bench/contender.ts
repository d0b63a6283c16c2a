/**
 * What each contender (our store, better-sqlite3, hand-written lmdb-js) implements: the same operations on the
 * same rows. Writes resolve once committed; reads are synchronous in all three.
 */
import type { ApiKey, Memo, UsageLog, User } from '../../src-shared/schema';
import type { RateCall } from './data';

export type LoadTable = 'users' | 'api_keys' | 'memos' | 'usage_logs';
export type LoadRow = User | ApiKey | Memo | UsageLog;

export interface Contender {
  readonly name: string;
  /** Opens a new store in `dir` (an empty temp directory of its own). */
  open(dir: string): Promise<void>;
  /** Untimed setup: rows written in one committed transaction (the caller sends parents before children). */
  load(table: LoadTable, rows: readonly LoadRow[]): Promise<void>;

  /** Line 1: one memo, its own committed write. */
  insertMemo(memo: Memo): Promise<void>;
  /** Line 2: a batch of memos in one committed transaction. */
  insertMemos(batch: readonly Memo[]): Promise<void>;
  /** Line 3. */
  getMemo(id: string): Memo | undefined;
  /** Line 4: a user's newest memos, newest first. */
  newestMemos(userId: string, limit: number): Memo[];
  /** Line 5. */
  apiKeyByHash(hash: string): ApiKey | undefined;
  /**
   * Line 6: in one write transaction, read the (api key, date) counter; refuse (false) when it has reached the
   * limit, else increment it or create it at 1 (true). Resolves once committed.
   */
  rateLimitHit(call: RateCall): Promise<boolean>;
  /** Line 7: deletes a user and, by cascade, every row that depends on it. Resolves once committed. */
  deleteUser(id: string): Promise<void>;

  /** Verification (untimed): rows of `table`, all or those of one user. */
  count(table: LoadTable | 'rate_limits', userId?: string): number;
  /** Verification (untimed): the sum of the counters of one date. */
  rateTotal(date: string): number;
  /** Untimed, between lines: lets background work (a pending disk flush) finish so it is not billed to the next. */
  settle(): Promise<void>;
  close(): Promise<void>;
}
