/**
 * Every store that shows the app's data loads it again when the link comes back: what changed while it was lost
 * came with no event. Each test changes the profile through the core while the (stand-in) link is down, so that
 * only the reconnect can bring the change to the store.
 */
import { describe, expect, it } from 'vitest';
import { createKeysStore } from '../../src-renderer/stores/keys';
import { createMemosStore } from '../../src-renderer/stores/memos';
import { createPlayerStore } from '../../src-renderer/stores/player';
import { createProfileStore } from '../../src-renderer/stores/profile';
import { createSettingsStore } from '../../src-renderer/stores/settings';
import { createStoreHealthStore } from '../../src-renderer/stores/store-health';
import { createStudioStore } from '../../src-renderer/stores/studio';
import { createSyncStore } from '../../src-renderer/stores/sync';
import { createUsageStore } from '../../src-renderer/stores/usage';
import { createVoicesStore } from '../../src-renderer/stores/voices';
import { start as startCloud } from '../cloud/server';
import { liveCore, until, type LiveCore } from './live-core';

async function withProfile() {
  const live = await liveCore();
  const profile = await live.call('profile.create', { email: 'ada@example.com' });
  return { live, profile };
}

/** Runs `change` on the core while the link is down, checks the store did not hear of it, and brings the link back. */
async function whileLost(live: LiveCore, change: () => Promise<unknown>, unchanged: () => void) {
  live.link.drop();
  await change();
  await live.call('profile.get'); // the change's events have gone by (the link dropped them)
  await new Promise((resolve) => setTimeout(resolve));
  unchanged();
  live.link.restore();
}

describe('after the link comes back', () => {
  it('the profile store shows a profile created meanwhile', async () => {
    const live = await liveCore();
    const store = createProfileStore(live.client);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'ready', profile: null });
    await whileLost(live, () => live.call('profile.create', { email: 'ada@example.com' }), () => expect(store.getState().profile).toBeNull());
    await until(store, (s) => expect(s.profile?.email).toBe('ada@example.com'));
  });

  it('the settings store shows the theme chosen meanwhile', async () => {
    const { live } = await withProfile();
    const store = createSettingsStore(live.client);
    await store.getState().load();
    expect(store.getState().settings?.theme).toBe('system');
    await whileLost(live, () => live.call('settings.update', { theme: 'dark' }), () => expect(store.getState().settings?.theme).toBe('system'));
    await until(store, (s) => expect(s.settings?.theme).toBe('dark'));
  });

  it('the keys store shows a key created meanwhile', async () => {
    const { live } = await withProfile();
    const store = createKeysStore(live.client);
    await store.getState().load();
    await whileLost(live, () => live.call('keys.create', { name: 'Made while away' }), () => expect(store.getState().keys).toEqual([]));
    await until(store, (s) => expect(s.keys.map((k) => k.name)).toEqual(['Made while away']));
  });

  it('the voices store shows the cloud voices of a cloud set meanwhile', async () => {
    const { live } = await withProfile();
    const cloud = await startCloud();
    try {
      const store = createVoicesStore(live.client);
      await store.getState().load();
      const cloudVoices = () => store.getState().voices.filter((v) => v.engine === 'cloud');
      expect(cloudVoices().length).toBeGreaterThan(0);
      expect(cloudVoices().every((v) => !v.available)).toBe(true);
      await whileLost(live, () => live.call('settings.update', { cloudUrl: cloud.url }), () => expect(cloudVoices().every((v) => !v.available)).toBe(true));
      await until(store, (s) => expect(s.voices.filter((v) => v.engine === 'cloud' && v.available).length).toBeGreaterThan(0));
    } finally {
      await cloud.close();
    }
  });

  it('the memos store shows a memo made meanwhile', async () => {
    const { live } = await withProfile();
    await live.call('keys.create', { name: 'Laptop' });
    const store = createMemosStore(live.client);
    store.getState().open();
    await until(store, (s) => expect(s.total).toBe(0));
    await whileLost(live, () => live.call('memos.generate', { text: 'Made while the page was away.', voice: 'flite:slt' }), () => expect(store.getState().total).toBe(0));
    await until(store, (s) => expect(s.total).toBe(1));
  });

  it('the usage store, while its screen shows, shows a call made meanwhile', async () => {
    const { live } = await withProfile();
    const store = createUsageStore(live.client);
    const stop = store.getState().watch();
    await until(store, (s) => expect(s.log).toHaveLength(1));
    await whileLost(live, () => live.call('keys.create', { name: 'Made while away' }), () => expect(store.getState().log).toHaveLength(1));
    await until(store, (s) => expect(s.log.map((entry) => entry.action)).toEqual(['key_created', 'user_signup']));
    stop();
  });

  it('the studio store shows its memo cancelled meanwhile', async () => {
    const { live } = await withProfile();
    const { key } = await live.call('keys.create', { name: 'Laptop' });
    const store = createStudioStore(live.client, createPlayerStore(live.client));
    store.getState().edit({ text: 'A memo the page follows.' });
    await store.getState().generate({ voice: 'flite:slt', keyId: key.id });
    const memo = store.getState().memo!;
    await whileLost(live, () => live.call('memos.cancel', { id: memo.id }), () => expect(store.getState().memo?.status).toBe('queued'));
    await until(store, (s) => expect(s.memo?.status).toBe('cancelled'));
  });

  it('the player shows a rename of the memo it plays, made meanwhile', async () => {
    const { live, profile } = await withProfile();
    const row = await live.core.services.store.insert('memos', { user_id: profile.id, audio_url: '/audio/played.wav', duration_sec: 2, text: 'Played', title: 'Before' });
    const store = createPlayerStore(live.client);
    store.getState().play(await live.call('memos.get', { id: row.id }));
    expect(store.getState().current?.title).toBe('Before');
    await whileLost(live, () => live.call('memos.rename', { id: row.id, title: 'After' }), () => expect(store.getState().current?.title).toBe('Before'));
    await until(store, (s) => expect(s.current?.title).toBe('After'));
  });

  it('the sync store shows the interval set meanwhile', async () => {
    const { live } = await withProfile();
    const store = createSyncStore(live.client);
    await store.getState().load();
    const before = store.getState().status!.intervalMinutes;
    const after = before === 42 ? 43 : 42;
    await whileLost(live, () => live.call('sync.setInterval', { minutes: after }), () => expect(store.getState().status?.intervalMinutes).toBe(before));
    await until(store, (s) => expect(s.status?.intervalMinutes).toBe(after));
  });

  it('the store-health store shows a backup taken meanwhile', async () => {
    const { live } = await withProfile();
    const store = createStoreHealthStore(live.client, () => {
      throw new Error('nothing here reloads the window');
    });
    await store.getState().load();
    expect(store.getState().error).toBeNull();
    const backups = store.getState().status!.backups.length;
    await whileLost(live, () => live.call('store.backup'), () => expect(store.getState().status?.backups).toHaveLength(backups));
    await until(store, (s) => expect(s.status?.backups).toHaveLength(backups + 1));
  });
});
