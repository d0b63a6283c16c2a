/** The Keys screen's store against a real core: what the user creates, renames and revokes shows, and so does what another window does. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src-renderer/client';
import { createKeysStore } from '../../src-renderer/stores/keys';
import { liveCore, until } from './live-core';

async function keysOnProfile() {
  const live = await liveCore();
  await live.call('profile.create', { email: 'ada@example.com' });
  const keys = createKeysStore(live.client);
  await keys.getState().load();
  return { live, keys };
}

describe('keys store', () => {
  it('lists a new profile as having no keys, against the plan’s limit', async () => {
    const { keys } = await keysOnProfile();
    expect(keys.getState()).toMatchObject({ keys: [], active: 0, loaded: true, error: null });
    expect(keys.getState().limit).toBeGreaterThan(0);
  });

  it('shows a created key once, answers its full key, and counts it against the limit', async () => {
    const { keys } = await keysOnProfile();
    const { key, fullKey } = await keys.getState().create({ name: 'Laptop', test: false });
    expect(fullKey).toMatch(new RegExp(`^${key.prefix}`));
    const state = await until(keys, (s) => expect(s.keys.map((k) => k.name)).toEqual(['Laptop']));
    expect(state.active).toBe(1);
    expect(state.keys[0]).toMatchObject({ id: key.id, isActive: true, secret: 'session' });
    // The full key is shown once: nothing the store keeps holds it.
    expect(JSON.stringify(state)).not.toContain(fullKey!);
  });

  it('shows a rename and a revocation', async () => {
    const { keys } = await keysOnProfile();
    const { key } = await keys.getState().create({ name: 'Laptop', test: false });
    await keys.getState().rename(key.id, 'Desk');
    await until(keys, (s) => expect(s.keys[0]?.name).toBe('Desk'));
    await keys.getState().revoke(key.id);
    const state = await until(keys, (s) => expect(s.keys[0]?.isActive).toBe(false));
    expect(state.active).toBe(0);
    expect(state.notice).toBeNull();
  });

  it('refuses a blank name with the core’s message and changes nothing', async () => {
    const { keys } = await keysOnProfile();
    const { key } = await keys.getState().create({ name: 'Laptop', test: false });
    await until(keys, (s) => expect(s.keys).toHaveLength(1));
    const refusal = await keys.getState().rename(key.id, '   ').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).message).toBe('A key needs a name.');
    await keys.getState().load();
    expect(keys.getState().keys[0]?.name).toBe('Laptop');
  });

  it('refreshes when another window creates a key', async () => {
    const { live, keys } = await keysOnProfile();
    await live.call('keys.create', { name: 'From the other window' });
    await until(keys, (s) => expect(s.keys.map((k) => k.name)).toEqual(['From the other window']));
  });
});
