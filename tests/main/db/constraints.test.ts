import { describe, expect, it } from 'vitest';
import { openAgentTalk, failure } from './helpers';

async function withUser() {
  const store = await openAgentTalk();
  const user = await store.insert('users', { email: 'ada@example.com' });
  return { store, user };
}

/** What a failed write must leave behind: exactly what was there. */
function snapshot(store: Awaited<ReturnType<typeof openAgentTalk>>) {
  return {
    seq: store.lastChangeSeq(),
    users: store.list('users'),
    keys: store.list('api_keys'),
    memos: store.list('memos'),
  };
}

describe('defaults and timestamps', () => {
  it('fills defaults, a UUID v4 id and ISO 8601 UTC timestamps on insert', async () => {
    const clock = () => new Date('2026-03-01T12:00:00.000Z');
    const store = await openAgentTalk(undefined, { clock });
    const user = await store.insert('users', { email: 'a@example.com' });
    expect(user).toMatchObject({ tier: 'hobby', role: 'user', password_hash: null, created_at: '2026-03-01T12:00:00.000Z' });
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h' });
    expect(key).toMatchObject({ name: 'Default Key', usage_count: 0, is_active: true, last_used_at: null });
    expect(store.get('users', user.id)).toEqual(user);
  });

  it('sets updated_at on every update, and keeps created_at', async () => {
    let now = new Date('2026-03-01T12:00:00.000Z');
    const store = await openAgentTalk(undefined, { clock: () => now });
    const user = await store.insert('users', { email: 'a@example.com' });
    now = new Date('2026-03-02T08:30:00.000Z');
    const updated = await store.update('users', user.id, { tier: 'pro' });
    expect(updated).toMatchObject({ tier: 'pro', created_at: '2026-03-01T12:00:00.000Z', updated_at: '2026-03-02T08:30:00.000Z' });
  });
});

describe('UNIQUE', () => {
  it('refuses a second user with the same email, naming table, column and constraint', async () => {
    const { store } = await withUser();
    const before = snapshot(store);
    const error = await failure(store.insert('users', { email: 'ada@example.com' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { table: 'users', columns: ['email'], constraint: 'users_email_unique', valueKind: 'string' } });
    expect(error.message).toContain('users.email');
    expect(snapshot(store)).toEqual(before);
  });

  it('refuses a duplicate primary key', async () => {
    const { store, user } = await withUser();
    const before = snapshot(store);
    const error = await failure(store.insert('users', { id: user.id, email: 'other@example.com' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { table: 'users', column: 'id', constraint: 'primary key' } });
    expect(snapshot(store)).toEqual(before);
  });

  it('writes nothing of an insert refused for its primary key, while the other writes of its transaction commit', async () => {
    const { store, user } = await withUser();
    const seq = store.lastChangeSeq();
    const [carol, dan] = await store.transaction((tx) => {
      const carol = tx.insert('users', { email: 'carol@example.com' });
      const refused = (() => {
        try {
          return tx.insert('users', { id: user.id, email: 'other@example.com' });
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { column: 'id' } });
      return [carol, tx.insert('users', { email: 'dan@example.com' })];
    });
    expect(store.get('users', user.id)).toMatchObject({ email: 'ada@example.com' });
    // Neither the row nor any index entry nor a feed entry of the refused insert.
    expect(store.query('users', { email: 'other@example.com' })).toEqual([]);
    expect(store.count('users')).toBe(3);
    expect(store.changes(seq).map((c) => c.id)).toEqual([carol!.id, dan!.id]);
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('enforces composite uniqueness on (api_key_id, date) and allows either part to repeat alone', async () => {
    const { store, user } = await withUser();
    await store.insert('rate_limits', { api_key_id: 'k1', user_id: user.id, date: '2026-03-01' });
    await store.insert('rate_limits', { api_key_id: 'k1', user_id: user.id, date: '2026-03-02' });
    await store.insert('rate_limits', { api_key_id: 'k2', user_id: user.id, date: '2026-03-01' });
    const error = await failure(store.insert('rate_limits', { api_key_id: 'k1', user_id: user.id, date: '2026-03-01' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'rate_limits_key_date_unique', columns: ['api_key_id', 'date'] } });
    expect(store.count('rate_limits')).toBe(3);
  });

  it('enforces (prefix, key_hash) and key_hash on api keys', async () => {
    const { store, user } = await withUser();
    await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'abc' });
    const error = await failure(store.insert('api_keys', { user_id: user.id, prefix: 'at_test_', key_hash: 'abc' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'api_keys_key_hash_unique' } });
  });

  it('allows one subscription per user, and any number of null stripe ids (nulls never collide)', async () => {
    const { store, user } = await withUser();
    const other = await store.insert('users', { email: 'bob@example.com' });
    await store.insert('subscriptions', { user_id: user.id });
    await store.insert('subscriptions', { user_id: other.id });
    expect(store.count('subscriptions', { stripe_subscription_id: null })).toBe(2);
    const error = await failure(store.insert('subscriptions', { user_id: user.id, stripe_subscription_id: 'sub_1' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'subscriptions_user_id_unique' } });
  });

  it('checks uniqueness on update too, and lets a row keep its own value', async () => {
    const { store, user } = await withUser();
    const bob = await store.insert('users', { email: 'bob@example.com' });
    await store.update('users', user.id, { email: 'ada@example.com', tier: 'pro' });
    const error = await failure(store.update('users', bob.id, { email: 'ada@example.com' }));
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(store.get('users', bob.id)!.email).toBe('bob@example.com');
    await store.update('users', bob.id, { email: 'robert@example.com' });
    await store.insert('users', { email: 'bob@example.com' });
    expect(store.query('users', { email: 'bob@example.com' })).toHaveLength(1);
  });
});

describe('NOT NULL', () => {
  it('refuses a missing or null required column, on insert and update', async () => {
    const { store, user } = await withUser();
    const before = snapshot(store);
    expect(await failure(store.insert('api_keys', { user_id: user.id, prefix: 'at_live_' } as never))).toMatchObject({
      code: 'NOT_NULL_VIOLATION',
      details: { table: 'api_keys', column: 'key_hash' },
    });
    expect(await failure(store.update('users', user.id, { email: null as never }))).toMatchObject({
      code: 'NOT_NULL_VIOLATION',
      details: { table: 'users', column: 'email', valueKind: 'null' },
    });
    expect(snapshot(store)).toEqual(before);
  });
});

describe('CHECK', () => {
  it('allows only the listed tiers and roles', async () => {
    const { store, user } = await withUser();
    await store.update('users', user.id, { tier: 'enterprise', role: 'admin' });
    expect(await failure(store.update('users', user.id, { tier: 'platinum' as never }))).toMatchObject({
      code: 'CHECK_VIOLATION',
      details: { table: 'users', column: 'tier' },
    });
    expect(await failure(store.insert('users', { email: 'x@example.com', role: 'root' as never }))).toMatchObject({
      code: 'CHECK_VIOLATION',
      details: { column: 'role' },
    });
    expect(store.get('users', user.id)!.tier).toBe('enterprise');
  });
});

describe('FOREIGN KEY', () => {
  it('refuses a child whose parent does not exist, on insert and update', async () => {
    const { store, user } = await withUser();
    expect(await failure(store.insert('memos', { user_id: 'no-such-user', audio_url: 'a', duration_sec: 1 }))).toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
      details: { table: 'memos', column: 'user_id', constraint: 'users' },
    });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: 'a', duration_sec: 1 });
    expect(await failure(store.update('memos', memo.id, { api_key_id: 'no-such-key' }))).toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
      details: { column: 'api_key_id', constraint: 'api_keys' },
    });
    expect(store.get('memos', memo.id)!.api_key_id).toBeNull();
  });

  it('refuses a child of a parent deleted earlier in the same transaction, though the parent was found before', async () => {
    const { store, user } = await withUser();
    const error = await failure(
      store.transaction((tx) => {
        tx.insert('memos', { user_id: user.id, audio_url: 'a', duration_sec: 1 });
        tx.delete('users', user.id);
        tx.insert('memos', { user_id: user.id, audio_url: 'b', duration_sec: 1 });
      }),
    );
    expect(error).toMatchObject({ code: 'FOREIGN_KEY_VIOLATION', details: { table: 'memos', column: 'user_id' } });
    expect(store.get('users', user.id)).toBeDefined();
    expect(store.count('memos')).toBe(0);
  });

  it('has no foreign key on rate_limits.api_key_id, as the service schema defines it', async () => {
    const { store, user } = await withUser();
    await store.insert('rate_limits', { api_key_id: 'any-key', user_id: user.id, date: '2026-03-01' });
    expect(store.count('rate_limits')).toBe(1);
  });
});

describe('types', () => {
  it.each([
    ['text', 'users', { email: 42 }, 'email', 'number'],
    ['integer', 'api_keys', { usage_count: 1.5 }, 'usage_count', 'number'],
    ['integer', 'api_keys', { usage_count: '3' }, 'usage_count', 'string'],
    ['boolean', 'api_keys', { is_active: 1 }, 'is_active', 'number'],
    ['timestamp', 'api_keys', { last_used_at: '2026-03-01 12:00:00' }, 'last_used_at', 'string'],
    ['timestamp', 'api_keys', { last_used_at: '2026-03-01T12:00:00+02:00' }, 'last_used_at', 'string'],
  ] as const)('refuses a %s column given %o', async (_type, table, patch, column, valueKind) => {
    const { store, user } = await withUser();
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h' });
    const id = table === 'users' ? user.id : key.id;
    const before = snapshot(store);
    expect(await failure(store.update(table, id, patch as never))).toMatchObject({
      code: 'INVALID_TYPE',
      details: { table, column, valueKind },
    });
    expect(snapshot(store)).toEqual(before);
  });

  it('refuses a real that is not finite and json that is not JSON', async () => {
    const { store, user } = await withUser();
    expect(await failure(store.insert('memos', { user_id: user.id, audio_url: 'a', duration_sec: Number.NaN }))).toMatchObject({
      code: 'INVALID_TYPE',
      details: { column: 'duration_sec', valueKind: 'NaN' },
    });
    const bad = { when: new Date() };
    expect(await failure(store.insert('usage_logs', { user_id: user.id, action: 'key_used', metadata: bad }))).toMatchObject({
      code: 'INVALID_TYPE',
      details: { column: 'metadata' },
    });
    const log = await store.insert('usage_logs', { user_id: user.id, action: 'key_used', metadata: { chars: 12, voice: 'rachel', tags: ['a'] } });
    expect(store.get('usage_logs', log.id)!.metadata).toEqual({ chars: 12, voice: 'rachel', tags: ['a'] });
  });

  it('refuses unknown tables and columns, including prototype keys', async () => {
    const { store, user } = await withUser();
    expect(await failure(store.insert('nope' as never, {} as never))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    expect(await failure(store.insert('users', { email: 'b@example.com', admin: true } as never))).toMatchObject({
      code: 'UNKNOWN_COLUMN',
      details: { table: 'users', column: 'admin' },
    });
    const hostile = JSON.parse('{"email":"c@example.com","__proto__":{"role":"admin"}}');
    expect(await failure(store.insert('users', hostile))).toMatchObject({ code: 'UNKNOWN_COLUMN', details: { column: '__proto__' } });
    expect(await failure(store.update('users', user.id, JSON.parse('{"constructor":1}')))).toMatchObject({ code: 'UNKNOWN_COLUMN' });
    expect(store.count('users')).toBe(1);
  });

  it('refuses a value too long to index with a clear error instead of an LMDB failure', async () => {
    const { store } = await withUser();
    expect(await failure(store.insert('users', { email: `${'x'.repeat(5000)}@example.com` }))).toMatchObject({
      code: 'VALUE_TOO_LONG',
      details: { table: 'users', columns: ['email'] },
    });
    expect(store.count('users')).toBe(1);
  });

  it('refuses to change a primary key and reports unknown rows as NOT_FOUND', async () => {
    const { store, user } = await withUser();
    expect(await failure(store.update('users', user.id, { id: 'other' }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(store.update('users', 'missing', { tier: 'pro' }))).toMatchObject({ code: 'NOT_FOUND', details: { table: 'users' } });
    expect(await failure(store.delete('users', 'missing'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(store.get('users', 'missing')).toBeUndefined();
  });
});
