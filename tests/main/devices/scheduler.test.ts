/**
 * Sync between computers under the shared sync scheduler: the scheduler that runs the cloud account also runs the
 * folder (at start and every interval, on "Sync now", on reconnect), and the header's indicator shows the folder.
 */
import { renameSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../../src-main/services';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { DEFAULT_INTERVAL_MINUTES } from '../../../src-main/services/sync/state';
import { indicatorText } from '../../../src-renderer/features/sync/indicator-text';
import { openAgentTalk, tempDir } from '../db/helpers';
import { recordingTimers } from '../sync/helpers';
import { syncFolder } from './helpers';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/** A computer as the app wires it (no cloud URL: the cloud account is not linked), timers that never fire. */
async function computer() {
  const profileDir = tempDir();
  const store = await openAgentTalk(profileDir);
  const timers = recordingTimers();
  const services = createServices({ store, secrets: sessionSecretStore('test'), profileDir, sync: { timers } });
  const user = await services.accounts.createProfile('ada@example.com');
  started.push(services.sync);
  return { ...services, user, timers };
}

async function memo(c: Awaited<ReturnType<typeof computer>>, title: string) {
  return c.store.insert('memos', { user_id: c.user.id, audio_url: '', duration_sec: 0, text: 'Hallo', title, voice: 'flite:slt', status: 'completed' });
}

describe('the sync scheduler runs the folder too', () => {
  it('a memo reaches the other computer through the scheduler’s runs; the indicator says the folder is in step, with how many devices', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    await home.devices.configure({ folder, name: 'Home' });
    await office.devices.configure({ folder, name: 'Office' });
    const made = await memo(home, 'Über den Scheduler');

    await home.sync.syncNow(); // "Sync now": writes the memo into the folder
    office.sync.start(); // the start's run reads it; the next one is planned an interval later
    await vi.waitFor(() => expect(office.timers.planned).toContain(DEFAULT_INTERVAL_MINUTES * 60_000));
    expect(office.store.get('memos', made.id)?.title).toBe('Über den Scheduler');

    const status = await office.sync.syncNow();
    expect(status.sources.find((s) => s.id === 'devices')).toMatchObject({ state: 'synced', waiting: 0, devices: 1 });
    expect(indicatorText(status, Date.now())).toBe('In step · 2 devices');
  });

  it('the indicator says when the folder is not available and how much waits to be written; it resumes when the folder is back', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    await home.devices.configure({ folder });
    await office.devices.configure({ folder });
    renameSync(folder, `${folder}-unplugged`);
    const made = await memo(home, 'Unterwegs');

    const missing = await home.sync.syncNow();
    expect(missing.state).toBe('offline');
    expect(missing.message).toMatch(/Sync folder not available/);
    expect(indicatorText(missing, Date.now())).toBe('Folder not available · 1 change to write');

    renameSync(`${folder}-unplugged`, folder);
    home.sync.start(); // the scheduler's next run (here: the start's) writes what waited
    await vi.waitFor(() => expect(indicatorText(home.sync.status(), Date.now())).toBe('In step · 2 devices'));
    await office.sync.syncNow();
    expect(office.store.get('memos', made.id)?.title).toBe('Unterwegs');
  });
});
