import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { failure } from '../db/helpers';
import { servicesAt } from './helpers';

async function withKey(start?: string) {
  const s = await servicesAt(start);
  const { key } = await s.keys.create(s.user.id);
  return { ...s, keyId: key.id };
}

describe('rate limits', () => {
  it('500 concurrent calls on a hobby key allow exactly 100, and refuse the rest with a typed error', async () => {
    const s = await withKey();
    const results = await Promise.allSettled(Array.from({ length: 500 }, () => s.rateLimits.consume(s.keyId, 100)));
    const allowed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(allowed).toHaveLength(100);
    expect(refused).toHaveLength(400);
    expect(refused[0]).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', details: { limit: 100, used: 100, resetAt: '2026-03-11T00:00:00.000Z' } });
    expect(s.store.query('rate_limits', { api_key_id: s.keyId })).toEqual([expect.objectContaining({ date: '2026-03-10', count: 100 })]);
    expect(s.store.get('api_keys', s.keyId)).toMatchObject({ usage_count: 100, last_used_at: '2026-03-10T12:00:00.000Z' });
    expect(s.store.count('usage_logs', { action: 'error_rate_limit' })).toBe(400);
    expect(s.store.count('usage_logs', { action: 'key_used' })).toBe(100);
  });

  it('stays exact when two processes share the profile', async () => {
    const s = await withKey();
    await s.store.close();
    const workers = [0, 1].map(() => fork('tests/main/services/consume-worker.ts', [s.profileDir, s.keyId, '250'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    workers.forEach((w) => w.send('go'));
    const tallies = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ allowed: number; refused: string[] }>((resolve) => {
            let out = '';
            w.stdout!.on('data', (c: Buffer) => (out += c));
            w.on('exit', () => resolve(JSON.parse(out)));
          }),
      ),
    );
    expect(tallies[0]!.allowed + tallies[1]!.allowed).toBe(100);
    expect([...tallies[0]!.refused, ...tallies[1]!.refused].every((code) => code === 'DAILY_LIMIT_EXCEEDED')).toBe(true);
  }, 60_000);

  it('rolls over at midnight UTC', async () => {
    const s = await withKey('2026-03-10T23:59:59.000Z');
    await Promise.all(Array.from({ length: 100 }, () => s.rateLimits.consume(s.keyId, 1)));
    expect(await failure(s.rateLimits.consume(s.keyId, 1))).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', details: { resetAt: '2026-03-11T00:00:00.000Z' } });
    s.setTime('2026-03-11T00:00:00.000Z');
    expect(await s.rateLimits.consume(s.keyId, 1)).toMatchObject({ limit: 100, remaining: 99, resetAt: '2026-03-12T00:00:00.000Z' });
  });

  it('counts the month per user across keys, and resets on the 1st', async () => {
    const s = await withKey('2026-03-31T08:00:00.000Z');
    // 2,999 calls earlier this month on another key; February's do not count.
    await s.store.transaction((tx) => {
      for (let day = 1; day <= 30; day++) tx.insert('rate_limits', { api_key_id: 'old-key', user_id: s.user.id, date: `2026-03-${String(day).padStart(2, '0')}`, count: day === 30 ? 99 : 100 });
      tx.insert('rate_limits', { api_key_id: 'old-key', user_id: s.user.id, date: '2026-02-28', count: 100 });
    });
    await s.rateLimits.consume(s.keyId, 1);
    expect(await failure(s.rateLimits.consume(s.keyId, 1))).toMatchObject({
      code: 'MONTHLY_LIMIT_EXCEEDED',
      details: { limit: 3000, used: 3000, resetAt: '2026-04-01T00:00:00.000Z' },
    });
    expect(s.rateLimits.summary(s.user.id).month).toEqual({ used: 3000, limit: 3000, resetAt: '2026-04-01T00:00:00.000Z' });
    s.setTime('2026-04-01T00:00:00.000Z');
    await s.rateLimits.consume(s.keyId, 1);
  });

  it('limits characters per memo by tier, before counting the call', async () => {
    const s = await withKey();
    expect(await failure(s.rateLimits.consume(s.keyId, 5001))).toMatchObject({ code: 'TEXT_TOO_LONG', details: { limit: 5000, used: 5001 } });
    expect(s.store.count('rate_limits')).toBe(0);
    await s.subscriptions.set(s.user.id, { tier: 'pro', status: 'active' });
    expect(await s.rateLimits.consume(s.keyId, 20_000)).toMatchObject({ tier: 'pro', limit: 1000, remaining: 999 });
    await s.subscriptions.set(s.user.id, { tier: 'enterprise' });
    expect(await s.rateLimits.consume(s.keyId, 1_000_000)).toMatchObject({ tier: 'enterprise', limit: null, remaining: null });
  });

  it('refuses a revoked or unknown key', async () => {
    const s = await withKey();
    await s.keys.revoke(s.user.id, s.keyId);
    expect(await failure(s.rateLimits.consume(s.keyId, 1))).toMatchObject({ code: 'REVOKED_KEY' });
    expect(await failure(s.rateLimits.consume('missing', 1))).toMatchObject({ code: 'INVALID_API_KEY' });
    expect(s.store.count('rate_limits')).toBe(0);
  });
});
