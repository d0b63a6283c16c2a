/** Computers (profiles with their services and device sync) for the device sync tests, each with its own clock. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDeviceSync } from '../../../src-main/services/devices';
import { createServices } from '../../../src-main/services';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { openAgentTalk, tempDir } from '../db/helpers';

export type Computer = Awaited<ReturnType<typeof computer>>;

/** A computer whose profile is ada@example.com, its clock at `start`; `snapshotEvery` as device sync takes it. */
export async function computer(start = '2026-12-02T08:00:00.000Z', options: { snapshotEvery?: number; profileDir?: string } = {}) {
  const { snapshotEvery, profileDir = tempDir() } = options;
  const clock = { now: new Date(start) };
  const store = await openAgentTalk(profileDir, { clock: () => clock.now });
  const services = createServices({ store, secrets: sessionSecretStore('test'), profileDir, clock: () => clock.now });
  // A profile made by an earlier run (a restarted computer) is kept.
  const user = services.accounts.current() ?? (await services.accounts.createProfile('ada@example.com'));
  const devices = createDeviceSync({ store, audio: services.audio, clock: () => clock.now, ...(snapshotEvery && { snapshotEvery }) });
  return { ...services, devices, clock, user, profileDir, setTime: (iso: string) => (clock.now = new Date(iso)) };
}

/** A folder a carrier would sync (here: a plain directory). */
export function syncFolder(): string {
  const dir = join(tempDir(), 'Sync');
  mkdirSync(dir);
  return dir;
}

/** A completed memo with audio, as the generation queue leaves one (without running a voice engine). */
export async function makeMemo(c: Computer, fields: { title?: string; text?: string; audio?: Uint8Array } = {}) {
  const memo = await c.store.insert('memos', {
    user_id: c.user.id,
    audio_url: '',
    duration_sec: 0,
    text: fields.text ?? 'Bonjour, ça va ?',
    title: fields.title ?? null,
    voice: 'flite:slt',
    status: 'queued',
  });
  const file = await c.audio.write(memo.id, 'wav', fields.audio ?? new TextEncoder().encode(`RIFF audio of ${memo.id}`));
  return c.store.update('memos', memo.id, { status: 'completed', audio_url: `/audio/${file}`, duration_sec: 1.5 });
}

/** The rows that travel, as every computer must end up holding them (local bookkeeping columns left out). */
export function travellingState(c: Computer) {
  const memos = c.store
    .query('memos', { user_id: c.user.id })
    .map(({ id, title, text, voice, status, duration_sec, created_at, audio_url }) => ({ id, title, text, voice, status, duration_sec, created_at, audio_url }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const keys = c.store
    .query('api_keys', { user_id: c.user.id })
    .map(({ id, name, is_active, prefix, key_hash, key_suffix }) => ({ id, name, is_active, prefix, key_hash, key_suffix }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const logs = c.store
    .query('usage_logs', { user_id: c.user.id })
    .map(({ id, action, api_key_id, created_at }) => ({ id, action, api_key_id, created_at }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const counts = c.store
    .query('rate_limits', { user_id: c.user.id })
    .map(({ api_key_id, date, count }) => ({ api_key_id, date, count }))
    .sort((a, b) => `${a.api_key_id}${a.date}`.localeCompare(`${b.api_key_id}${b.date}`));
  return { email: c.store.get('users', c.user.id)?.email, memos, keys, logs, counts };
}
