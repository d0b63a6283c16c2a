// A cloud key's day as the service tells it (X-RateLimit-Limit/-Remaining/-Reset), kept with the key across restarts.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { tempDir } from '../db/helpers';
import { cloudServer, computer, type Computer } from './helpers';

const nextMidnight = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
};

async function memoWith(pc: Computer, text: string) {
  const memo = await pc.generation.generate(pc.user.id, { text, voice: 'rachel' });
  for (let i = 0; i < 500 && ['queued', 'processing'].includes(pc.store.get('memos', memo.id)!.status); i++) await sleep(20);
  expect(pc.store.get('memos', memo.id)).toMatchObject({ status: 'completed' });
}

describe('a cloud key’s day', () => {
  it('is what the service’s last answer said (42 of 100 left, the next reset), and still is after a restart', async () => {
    const server = await cloudServer();
    server.setUsage(server.keys.hobby, { today: 56 });
    const profileDir = tempDir();
    const secrets = sessionSecretStore('test');
    const pc = await computer(server, { profileDir, secrets });
    const pasted = await pc.sync.keys.paste(pc.user.id, server.keys.hobby, 'From the dashboard');
    expect(pc.keys.list(pc.user.id).find((k) => k.id === pasted.id)?.cloudDay).toBeNull();

    await pc.generation.start();
    await memoWith(pc, 'One.');
    await memoWith(pc, 'Two.');
    await pc.generation.stop();
    const day = { limit: 100, remaining: 42, resetAt: nextMidnight(), readAt: expect.any(String) };
    expect(pc.keys.list(pc.user.id).find((k) => k.id === pasted.id)?.cloudDay).toEqual(day);
    await pc.close();

    const again = await computer(server, { profileDir, secrets });
    expect(again.keys.list(again.user.id).find((k) => k.id === pasted.id)?.cloudDay).toEqual(day);
  });

  it('a reading that arrives late never raises what is left of the same day; a new day’s reading replaces it', async () => {
    const server = await cloudServer();
    const pc = await computer(server);
    const key = await pc.sync.keys.paste(pc.user.id, server.keys.hobby);
    const resetAt = nextMidnight();
    await pc.keys.recordCloudDay(key.id, { limit: 100, remaining: 40, resetAt });
    await pc.keys.recordCloudDay(key.id, { limit: 100, remaining: 41, resetAt }); // an earlier memo's answer, late
    expect(pc.keys.list(pc.user.id).find((k) => k.id === key.id)?.cloudDay).toMatchObject({ remaining: 40, resetAt });
    const tomorrow = new Date(Date.parse(resetAt) + 86_400_000).toISOString();
    await pc.keys.recordCloudDay(key.id, { limit: 100, remaining: 99, resetAt: tomorrow });
    expect(pc.keys.list(pc.user.id).find((k) => k.id === key.id)?.cloudDay).toMatchObject({ remaining: 99, resetAt: tomorrow });
    // A key made here is never sent to the service: nothing is kept for it.
    const { key: local } = await pc.keys.create(pc.user.id, { name: 'Here' });
    await pc.keys.recordCloudDay(local.id, { limit: 100, remaining: 1, resetAt });
    expect(pc.keys.list(pc.user.id).find((k) => k.id === local.id)?.cloudDay).toBeNull();
  });
});
