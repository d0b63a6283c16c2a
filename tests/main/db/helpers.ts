/** Real LMDB stores in fresh temp directories, closed and removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareKeys } from 'ordered-binary';
import { afterEach } from 'vitest';
import type { TableDef } from '../../../src-shared/schema';
import { openAgentTalkStore, openStore, type OpenStoreOptions, type Row, type Store } from '../../../src-main/db';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-talk-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Closes the store after the test (closing twice is harmless). */
function track<S extends { close(): Promise<void> }>(store: S): S {
  let closed = false;
  const close = store.close.bind(store);
  store.close = async () => {
    if (!closed) await close();
    closed = true;
  };
  cleanups.push(() => store.close());
  return store;
}

export async function openTempStore<const T extends readonly TableDef[]>(
  tables: T,
  options: Partial<OpenStoreOptions<T>> = {},
): Promise<Store<T>> {
  return track(await openStore({ path: join(tempDir(), 'store.mdb'), tables, ...options }));
}

export async function openAgentTalk(profileDir = tempDir(), options: { clock?: () => Date; migrate?: boolean } = {}) {
  return track(await openAgentTalkStore({ profileDir, ...options }));
}

/** The error a promise or function rejects with (fails the test when it does not). */
export async function failure(action: Promise<unknown> | (() => unknown)): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure, but it succeeded');
}

/** The answer computed the slow, obvious way. */
export function reference(rows: Row[], where: Record<string, unknown>, options: { orderBy?: string; order?: 'asc' | 'desc'; limit?: number; offset?: number }) {
  const ok = (row: Row) =>
    Object.entries(where).every(([c, cond]) => {
      const v = row[c] as never;
      if (cond === null || typeof cond !== 'object') return v === cond;
      const b = cond as Record<string, never>;
      if (v === null) return false;
      return (b.gt === undefined || compareKeys(v, b.gt) > 0) && (b.gte === undefined || compareKeys(v, b.gte) >= 0) &&
        (b.lt === undefined || compareKeys(v, b.lt) < 0) && (b.lte === undefined || compareKeys(v, b.lte) <= 0);
    });
  const out = rows.filter(ok);
  if (options.orderBy) {
    const sign = options.order === 'desc' ? -1 : 1;
    out.sort((a, b) => sign * compareKeys(a[options.orderBy!] as never, b[options.orderBy!] as never));
  }
  const offset = options.offset ?? 0;
  return out.slice(offset, options.limit === undefined ? undefined : offset + options.limit);
}

/** Compares on the sort column only where ties may come out in any order. */
export const project = (rows: Row[], orderBy?: string) => (orderBy ? rows.map((r) => r[orderBy]) : rows.map((r) => r.id).sort());
