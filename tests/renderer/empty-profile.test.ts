/**
 * The stores of the Usage screen and the sync indicator on a profile just made (no calls, no cloud account), as a
 * new user first sees them: nothing fails, and each says "nothing yet" rather than nothing at all.
 */
import { describe, expect, it } from 'vitest';
import { CHART_DAYS, createUsageStore } from '../../src-renderer/stores/usage';
import { createSyncStore } from '../../src-renderer/stores/sync';
import { liveCore, until } from './live-core';

async function newProfile() {
  const live = await liveCore();
  await live.call('profile.create', { email: 'new@example.com' });
  return live;
}

describe('a new profile', () => {
  it('has usage of zero: every day of the chart at no calls, a log of its creation only, nothing more to load', async () => {
    const live = await newProfile();
    const usage = createUsageStore(live.client);
    await usage.getState().load();
    const state = usage.getState();
    expect(state.error).toBeNull();
    expect(state.summary?.today.used).toBe(0);
    expect(state.summary?.month.used).toBe(0);
    expect(state.daily).toHaveLength(CHART_DAYS);
    expect(state.daily.every((day) => day.calls === 0)).toBe(true);
    // Only the profile's own creation is logged.
    expect(state.log.map((entry) => entry.action)).toEqual(['user_signup']);
    expect(state.hasMore).toBe(false);

    await usage.getState().filter('memo_created');
    expect(usage.getState()).toMatchObject({ action: 'memo_created', log: [], hasMore: false, error: null });
    await usage.getState().loadMore();
    expect(usage.getState()).toMatchObject({ log: [], hasMore: false, loadingMore: false, error: null });
  });

  it('logs its first call in the usage the screen watches', async () => {
    const live = await newProfile();
    const usage = createUsageStore(live.client);
    const stop = usage.getState().watch();
    await until(usage, (s) => expect(s.summary).not.toBeNull());
    await live.call('keys.create', { name: 'First key' });
    await until(usage, (s) => expect(s.log.map((entry) => entry.action)).toEqual(['key_created', 'user_signup']));
    stop();
  });

  it('is not linked to a cloud account, and syncs nothing, without an error', async () => {
    const live = await newProfile();
    const sync = createSyncStore(live.client);
    await sync.getState().load();
    const { status, account, error } = sync.getState();
    expect(error).toBeNull();
    expect(account).toMatchObject({ signedIn: false, email: null });
    expect(status).toMatchObject({ state: 'unlinked', waiting: 0, outbox: [], notices: [] });
  });
});
