/**
 * 500 concurrent POST /api/v1/memo from two processes with one hobby key (100 calls a day): exactly 100 memos are
 * made and answered 201, the other 400 answer 429 (the day's limit, or a full line before being counted), and the
 * store holds 100 memos and a count of 100. Synthesis is made cheap for this test only: a 3-character text in
 * Flite's fastest voice (kal, 8 kHz), and a wait bound long enough for 100 memos spoken one at a time on a busy
 * machine (the plan speaks one at a time), so the count, not the speed, is what is tested.
 */
import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { agentCore } from '../../support/agent-api';

describe('the agent API under a flood', () => {
  it('500 concurrent requests from 2 processes on one hobby key: exactly 100 × 201 and 400 × 429, 100 memos, count 100', async () => {
    const t = await agentCore({ agentApi: { timeoutMs: 600_000 } });
    try {
      const key = await t.newKey('Flood');
      const workers = [0, 1].map(() => fork('tests/main/api/flood-client.ts', [String(t.port), key, '250'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
      workers.forEach((w) => w.send('go'));
      const tallies = await Promise.all(
        workers.map(
          (w) =>
            new Promise<Record<string, number>>((resolve, reject) => {
              let out = '';
              w.stdout!.on('data', (c: Buffer) => (out += c));
              w.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`worker exited ${code}`))));
            }),
        ),
      );
      const total: Record<string, number> = {};
      for (const tally of tallies) for (const [answer, n] of Object.entries(tally)) total[answer] = (total[answer] ?? 0) + n;
      const refused = Object.entries(total).filter(([answer]) => answer.startsWith('429 ')).reduce((n, [, count]) => n + count, 0);
      expect({ created: total['201'], refused }).toEqual({ created: 100, refused: 400 });
      expect(Object.keys(total).every((a) => ['201', '429 DAILY_LIMIT_EXCEEDED', '429 RATE_LIMIT_EXCEEDED'].includes(a))).toBe(true);
      const memos = t.core.services.store.query('memos', { user_id: t.user.id });
      expect(memos).toHaveLength(100);
      expect(memos.every((m) => m.status === 'completed')).toBe(true);
      expect(t.core.services.rateLimits.summary(t.user.id).today.used).toBe(100);
      expect(t.core.services.keys.authenticate(key).usage_count).toBe(100);
    } finally {
      await t.core.close();
    }
  }, 600_000);
});
