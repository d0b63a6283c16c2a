/** Our store, through its public API only, as the app's services call it. */
import { openAgentTalkStore, type AgentTalkStore } from '../../src-main/db';
import type { ApiKey, Memo } from '../../src-shared/schema';
import type { Contender, LoadRow, LoadTable } from './contender';
import type { RateCall } from './data';

export class Ours implements Contender {
  readonly name = 'ours';
  private store!: AgentTalkStore;

  async open(dir: string): Promise<void> {
    this.store = await openAgentTalkStore({ profileDir: dir });
  }

  /** The store, for the runner's checks that only it can answer (its query plans, its integrity check). */
  get raw(): AgentTalkStore {
    return this.store;
  }

  async load(table: LoadTable, rows: readonly LoadRow[]): Promise<void> {
    await this.store.transaction((tx) => {
      // The rows are complete rows of `table`; the union type cannot say which, so insert them untyped.
      const insert = tx.insert as (table: string, doc: LoadRow) => unknown;
      for (const row of rows) insert.call(tx, table, row);
    });
  }

  async insertMemo(memo: Memo): Promise<void> {
    await this.store.insert('memos', memo);
  }

  async insertMemos(batch: readonly Memo[]): Promise<void> {
    await this.store.transaction((tx) => {
      for (const memo of batch) tx.insert('memos', memo);
    });
  }

  getMemo(id: string): Memo | undefined {
    return this.store.get('memos', id);
  }

  newestMemos(userId: string, limit: number): Memo[] {
    return this.store.query('memos', { user_id: userId }, { orderBy: 'created_at', order: 'desc', limit });
  }

  apiKeyByHash(hash: string): ApiKey | undefined {
    return this.store.query('api_keys', { key_hash: hash }, { limit: 1 })[0];
  }

  rateLimitHit(call: RateCall): Promise<boolean> {
    return this.store.transaction((tx) => {
      const row = tx.query('rate_limits', { api_key_id: call.apiKeyId, date: call.date }, { limit: 1 })[0];
      const count = row?.count ?? 0;
      if (count >= call.limit) return false;
      if (row) tx.updateRow('rate_limits', row, { count: count + 1 });
      else tx.insert('rate_limits', { id: call.newId, api_key_id: call.apiKeyId, user_id: call.userId, date: call.date, count: 1 });
      return true;
    });
  }

  async deleteUser(id: string): Promise<void> {
    await this.store.delete('users', id);
  }

  count(table: LoadTable | 'rate_limits', userId?: string): number {
    if (userId === undefined) return this.store.count(table);
    if (table === 'users') return this.store.get('users', userId) ? 1 : 0;
    return this.store.count(table, { user_id: userId });
  }

  rateTotal(date: string): number {
    return this.store.query('rate_limits', { date }).reduce((n, row) => n + (row.count ?? 0), 0);
  }

  async settle(): Promise<void> {
    // The store's writes resolve once committed; nothing of ours is left running after them.
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
