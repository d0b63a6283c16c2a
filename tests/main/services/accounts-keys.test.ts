import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failure, openAgentTalk, tempDir } from '../db/helpers';
import { servicesAt } from './helpers';

describe('local profile', () => {
  it('a first run creates the profile: hobby user, active hobby subscription, signup logged', async () => {
    const s = await servicesAt();
    expect(s.accounts.current()).toMatchObject({ email: 'ada@example.com', tier: 'hobby', role: 'user' });
    expect(s.subscriptions.get(s.user.id)).toMatchObject({ tier: 'hobby', status: 'active' });
    expect(s.usage.list(s.user.id).map((l) => l.action)).toEqual(['user_signup']);
    expect(await failure(s.accounts.createProfile('other@example.com'))).toMatchObject({ code: 'CONFLICT' });
  });

  it('takes up the account an import left with the same email in another case, rather than a second one', async () => {
    const profileDir = tempDir();
    const store = await openAgentTalk(profileDir);
    const imported = await store.insert('users', { email: 'alice@example.com', tier: 'pro' });
    await store.insert('memos', { user_id: imported.id, audio_url: 'a.mp3', duration_sec: 1, text: 'Imported' });
    await store.close();
    const s = await servicesAt(undefined, profileDir, 'Alice@Example.com');
    expect(s.user.id).toBe(imported.id);
    expect(s.accounts.current()).toMatchObject({ id: imported.id, email: 'alice@example.com' });
    expect(s.store.count('users')).toBe(1);
    expect(s.store.query('memos', { user_id: s.user.id }).map((m) => m.text)).toEqual(['Imported']);
    expect(s.subscriptions.get(s.user.id)).toMatchObject({ tier: 'hobby', status: 'active' });
  });

  it('the tier follows the subscription', async () => {
    const s = await servicesAt();
    await s.subscriptions.set(s.user.id, { tier: 'pro', status: 'active', current_period_end: '2026-04-10T00:00:00.000Z' });
    expect(s.accounts.current()!.tier).toBe('pro');
    await s.subscriptions.set(s.user.id, { status: 'canceled' });
    expect(s.accounts.current()!.tier).toBe('hobby');
  });
});

describe('API keys', () => {
  it('creates keys in the service format, stores only hash, prefix and suffix, and returns the full key once', async () => {
    const s = await servicesAt();
    const { key, fullKey } = await s.keys.create(s.user.id, { name: 'Laptop' });
    expect(fullKey).toMatch(/^at_live_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: 'Laptop', prefix: 'at_live_', maskedKey: `at_live_***...${fullKey.slice(-6)}`, usageCount: 0, isActive: true, lastUsedAt: null });
    const row = s.store.get('api_keys', key.id)!;
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(fullKey.slice(8, -6));
    expect(await s.secrets.get(`api-key:${key.id}`)).toBe(fullKey);
    expect(s.keys.list(s.user.id)).toEqual([key]);
    const test = await s.keys.create(s.user.id, { test: true });
    expect(test.fullKey).toMatch(/^at_test_/);
    expect(test.key.name).toBe('Default Key');
    expect(s.usage.list(s.user.id, { action: 'key_created' })).toHaveLength(2);
  });

  it('enforces the tier key limit, and a revoked key frees its slot for good', async () => {
    const s = await servicesAt();
    const first = await s.keys.create(s.user.id);
    await s.keys.create(s.user.id);
    expect(await failure(s.keys.create(s.user.id))).toMatchObject({ code: 'KEY_LIMIT_REACHED', details: { limit: 2, used: 2 } });
    const revoked = await s.keys.revoke(s.user.id, first.key.id);
    expect(revoked.isActive).toBe(false);
    expect(await s.secrets.get(`api-key:${first.key.id}`)).toBeNull();
    await s.keys.create(s.user.id);
    expect(s.keys.list(s.user.id).map((k) => k.isActive).sort()).toEqual([false, true, true]);
    expect(s.usage.list(s.user.id, { action: 'key_revoked' })).toHaveLength(1);
  });

  it('renames, authenticates by the full key, and refuses revoked, unknown and malformed keys', async () => {
    const s = await servicesAt();
    const { key, fullKey } = await s.keys.create(s.user.id);
    expect((await s.keys.rename(s.user.id, key.id, 'CI runner')).name).toBe('CI runner');
    expect(s.store.explain('api_keys', { key_hash: 'x' })).toMatchObject({ access: 'index', covered: true });
    expect(s.keys.authenticate(fullKey).id).toBe(key.id);
    expect(() => s.keys.authenticate(`at_live_${'A'.repeat(43)}`)).toThrow(expect.objectContaining({ code: 'INVALID_API_KEY' }));
    expect(() => s.keys.authenticate('sk-not-ours')).toThrow(expect.objectContaining({ code: 'INVALID_API_KEY' }));
    await s.keys.revoke(s.user.id, key.id);
    expect(() => s.keys.authenticate(fullKey)).toThrow(expect.objectContaining({ code: 'REVOKED_KEY' }));
    expect(await failure(s.keys.rename(s.user.id, 'nope', 'x'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never writes a full key into the LMDB files', async () => {
    const s = await servicesAt();
    const keys = await Promise.all([s.keys.create(s.user.id), s.keys.create(s.user.id, { test: true })]);
    await s.store.close();
    const bytes = readdirSync(s.profileDir).map((f) => readFileSync(join(s.profileDir, f)).toString('latin1')).join('');
    expect(bytes).toContain(keys[0].key.id); // the files do hold the rows
    for (const { fullKey } of keys) {
      expect(bytes).not.toContain(fullKey);
      expect(bytes).not.toContain(fullKey.slice(8, 30)); // nor any long piece of the secret part
    }
  });
});
