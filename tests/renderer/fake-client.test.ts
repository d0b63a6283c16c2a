/**
 * What a real core cannot be made to do on demand, with a stand-in client (FakeClient) whose every call waits until
 * the test answers it: answers arriving out of order (a slow answer overtaken by a newer one) and a revocation
 * whose keychain step failed.
 */
import { describe, expect, it } from 'vitest';
import type { Call, Client, On } from '../../src-renderer/client';
import { ApiError } from '../../src-renderer/client';
import { createKeysStore, type ListedKey } from '../../src-renderer/stores/keys';
import { NO_CRITERIA, createMemosStore, memoAt } from '../../src-renderer/stores/memos';
import type { MemoView, ResultOf } from '../../src-shared/contract';

interface PendingCall {
  method: string;
  args: unknown;
  answer(value: unknown): void;
  refuse(error: ApiError): void;
}

/** FakeClient: a stand-in for the app's client; calls wait in `calls` for the test to answer them, in any order. */
function fakeClient() {
  const calls: PendingCall[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const call = ((method: string, args?: unknown) =>
    new Promise((answer, refuse) => calls.push({ method, args, answer, refuse }))) as Call;
  const on = ((event: string, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set.add(listener));
    return () => set.delete(listener);
  }) as On;
  const client: Client = { call, on, onReconnect: () => () => undefined };
  /** The calls of `method` waiting for an answer, oldest first (taken out of the queue). */
  const take = (method: string) => {
    const taken = calls.filter((c) => c.method === method);
    calls.splice(0, calls.length, ...calls.filter((c) => c.method !== method));
    return taken;
  };
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((listener) => listener(payload));
  return { client, take, emit };
}

const flush = () => new Promise((resolve) => setTimeout(resolve));

const key = (name: string): ListedKey => ({
  id: `id-${name}`,
  name,
  prefix: 'at_live_abc',
  maskedKey: 'at_live_abc…123456',
  usageCount: 0,
  lastUsedAt: null,
  isActive: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  kind: 'local',
  usable: true,
  waiting: false,
  cloudDay: null,
  secret: 'here',
});

const keysList = (...names: string[]): ResultOf<'keys.list'> => ({ keys: names.map(key), active: names.length, limit: 5 });

describe('with answers out of order', () => {
  it('the keys store keeps the newer list when an older answer comes last', async () => {
    const fake = fakeClient();
    const keys = createKeysStore(fake.client);
    void keys.getState().load();
    fake.emit('keys.changed', { ids: ['id-Desk'] });
    const [older, newer] = fake.take('keys.list');
    newer!.answer(keysList('Laptop', 'Desk'));
    await flush();
    older!.answer(keysList('Laptop'));
    await flush();
    expect(keys.getState().keys.map((k) => k.name)).toEqual(['Laptop', 'Desk']);
  });

  it('the memos store drops the answer for a filter the user has already changed', async () => {
    const fake = fakeClient();
    const memos = createMemosStore(fake.client);
    memos.getState().open();
    const [all] = fake.take('memos.list');
    memos.getState().setCriteria({ ...NO_CRITERIA, search: 'zebra' });
    const [filtered] = fake.take('memos.list');
    expect(filtered!.args).toMatchObject({ search: 'zebra' });

    const memo = (title: string) => ({ id: `id-${title}`, title }) as MemoView;
    filtered!.answer({ memos: [memo('Zebra memo')], total: 1 });
    await flush();
    all!.answer({ memos: [memo('Anything'), memo('Zebra memo')], total: 2 });
    await flush();
    expect(memos.getState().total).toBe(1);
    expect(memoAt(memos.getState().pages, 0)?.title).toBe('Zebra memo');
  });
});

describe('a revocation whose keychain step failed', () => {
  it('is done, and the keys store says what else happened until the next revocation', async () => {
    const fake = fakeClient();
    const keys = createKeysStore(fake.client);
    const revoking = keys.getState().revoke('id-Laptop');
    fake.take('keys.revoke')[0]!.answer({ ...key('Laptop'), isActive: false, notice: 'The keychain did not answer: its copy of the key is removed at the next start.' });
    await revoking;
    expect(keys.getState().notice).toBe('The keychain did not answer: its copy of the key is removed at the next start.');

    const again = keys.getState().revoke('id-Desk');
    fake.take('keys.revoke')[0]!.answer({ ...key('Desk'), isActive: false });
    await again;
    expect(keys.getState().notice).toBeNull();
  });

  it('a refused revocation throws the core’s message and tells no notice', async () => {
    const fake = fakeClient();
    const keys = createKeysStore(fake.client);
    const revoking = keys.getState().revoke('id-Gone');
    fake.take('keys.revoke')[0]!.refuse(new ApiError({ code: 'NOT_FOUND', message: 'There is no such key.' }));
    await expect(revoking).rejects.toThrow('There is no such key.');
    expect(keys.getState().notice).toBeNull();
  });
});
