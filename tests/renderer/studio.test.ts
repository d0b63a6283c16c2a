/** The Studio's store against a real core: the draft outlives a reload and a restart; a memo generated here is followed. */
import { describe, expect, it, vi } from 'vitest';
import { createPlayerStore } from '../../src-renderer/stores/player';
import { createStudioStore, type Draft } from '../../src-renderer/stores/studio';
import { liveCore, until, type LiveCore } from './live-core';

/** The Studio as a page opens it: a new store (and player) over `live`, its kept draft restored. */
async function openStudio(live: LiveCore) {
  const player = createPlayerStore(live.client);
  const studio = createStudioStore(live.client, player);
  await studio.getState().restoreDraft();
  return { studio, player };
}

const DRAFT: Draft = { text: 'Four thousand nine hundred characters of a speech, or so. '.repeat(80), title: 'The speech', voice: 'flite:slt', keyId: '' };

describe('studio store', () => {
  it('restores the draft after a reload and after a restart', async () => {
    const live = await liveCore();
    await live.call('profile.create', { email: 'ada@example.com' });
    const { key } = await live.call('keys.create', { name: 'Laptop' });
    const draft = { ...DRAFT, keyId: key.id };
    const first = await openStudio(live);
    expect(first.studio.getState().draft).toEqual({ text: '', title: '', voice: '', keyId: '' });
    first.studio.getState().edit(draft);
    // Written a moment after the last keystroke.
    await vi.waitFor(async () => expect(await live.call('settings.draft')).toEqual(draft), { timeout: 10_000 });

    const reloaded = await openStudio(live);
    expect(reloaded.studio.getState().draft).toEqual(draft);

    await live.restart();
    const restarted = await openStudio(live);
    expect(restarted.studio.getState().draft).toEqual(draft);
  });

  it('writes a draft still waiting to be written when the page goes', async () => {
    const live = await liveCore();
    await live.call('profile.create', { email: 'ada@example.com' });
    const { studio } = await openStudio(live);
    // The usual write, a moment after the last keystroke, never comes: the page went before it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    studio.getState().edit({ text: 'Typed just before closing the window' });
    studio.getState().flushDraft();
    vi.useRealTimers();
    await vi.waitFor(async () => expect((await live.call('settings.draft')).text).toBe('Typed just before closing the window'), { timeout: 10_000 });
  });

  it('keeps what the user typed when the kept draft answers after it', async () => {
    const live = await liveCore();
    await live.call('profile.create', { email: 'ada@example.com' });
    await live.call('settings.saveDraft', DRAFT);
    const player = createPlayerStore(live.client);
    const studio = createStudioStore(live.client, player);
    const restoring = studio.getState().restoreDraft();
    studio.getState().edit({ text: 'Typed before the kept draft arrived' });
    await restoring;
    expect(studio.getState().draft.text).toBe('Typed before the kept draft arrived');
  });

  it('follows the memo it generated: cancelled from another window, it says so', async () => {
    const live = await liveCore();
    await live.call('profile.create', { email: 'ada@example.com' });
    const { key } = await live.call('keys.create', { name: 'Laptop' });
    const { studio } = await openStudio(live);
    studio.getState().edit({ text: 'Hello from the studio test.' });
    await studio.getState().generate({ voice: 'flite:slt', keyId: key.id });
    const memo = studio.getState().memo!;
    expect(memo).toMatchObject({ status: 'queued', text: 'Hello from the studio test.' });
    expect(studio.getState().started).toBe(1);

    await live.call('memos.cancel', { id: memo.id });
    await until(studio, (s) => expect(s.memo?.status).toBe('cancelled'));
  });

  it('plays the memo it generated once its job completes (the offline voice, for real)', async () => {
    const live = await liveCore({ generate: true });
    await live.call('profile.create', { email: 'ada@example.com' });
    const { key } = await live.call('keys.create', { name: 'Laptop' });
    const { studio, player } = await openStudio(live);
    studio.getState().edit({ text: 'Hello from the studio.' });
    await studio.getState().generate({ voice: 'flite:slt', keyId: key.id });
    const id = studio.getState().memo!.id;
    await vi.waitFor(() => expect(studio.getState().memo?.status).toBe('completed'), { timeout: 60_000, interval: 50 });
    expect(studio.getState().progress).toBe(1);
    expect(player.getState().current?.id).toBe(id);
    expect(player.getState().current?.audioUrl).toMatch(/^\/audio\//);
  }, 90_000);

  it('says why the core refused to generate, and clears it once the draft changes', async () => {
    const live = await liveCore();
    await live.call('profile.create', { email: 'ada@example.com' });
    const { key } = await live.call('keys.create', { name: 'Laptop' });
    const { studio } = await openStudio(live);
    studio.getState().edit({ text: 'Hello.' });
    await studio.getState().generate({ voice: 'no-such-voice', keyId: key.id });
    expect(studio.getState().error).toMatch(/voice/i);
    expect(studio.getState().memo).toBeNull();
    studio.getState().edit({ voice: 'flite:slt' });
    expect(studio.getState().error).toBeNull();
  });
});
