// Every fault of the contract server against every push and pull step: nothing lost, nothing duplicated, no live
// orphan key. And today's hosted service (501 on every session route): said once, and cloud voices still work.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { secretAccount } from '../../../src-main/services/keys';
import type { CloudServer, Fault } from '../../cloud/server';
import { cloudServer, computer } from './helpers';

const STEPS: Record<string, Pick<Fault, 'method' | 'path'>> = {
  'push create': { method: 'POST', path: '/api/keys' },
  'push rename': { method: 'PATCH', path: '/api/keys/' },
  'push revoke': { method: 'POST', path: '/api/keys/' },
  'pull account': { method: 'GET', path: '/api/v1/dashboard/account' },
  'pull subscription': { method: 'GET', path: '/api/v1/billing/subscription' },
  'pull keys': { method: 'GET', path: '/api/keys' },
  'pull usage': { method: 'GET', path: '/api/v1/analytics/usage' },
};

const FAULTS: Record<string, Fault> = {
  '500': { status: 500 },
  '429 Retry-After 120': { status: 429, retryAfter: 120 },
  timeout: { delayMs: 4_000 },
  'connection dropped after applying': { dropAfterApply: true },
  'delivered twice': { deliverTwice: true },
  'session expiring mid-sync': { expireSessions: true },
};

async function scenario(server: CloudServer) {
  const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
  const shared = server.session.addKey(user.id, 'Shared');
  // Each request's limit, well past the longest stall of a busy 2-core machine: once a process stalls longer than the
  // limit, the request times out even if its answer came meanwhile (Node runs due timers before reading sockets).
  // The timeout fault's request answers only far past it.
  const pc = await computer(server, { timeoutMs: 2_000 });
  await pc.sync.link.signIn('ada@example.com', 'correct horse battery');
  await pc.sync.syncNow();
  const local = pc.cloudKeys().find((k) => k.cloud_id === shared.id)!;
  return { user, shared, pc, local };
}

describe('faults against every sync step', () => {
  for (const [stepName, step] of Object.entries(STEPS)) {
    for (const [faultName, fault] of Object.entries(FAULTS)) {
      it(`${faultName} on ${stepName}`, async () => {
        const server = await cloudServer();
        const { user, shared, pc, local } = await scenario(server);
        const made = await pc.sync.keys.create(pc.user.id, { name: 'New' });
        await pc.sync.keys.rename(pc.user.id, local.id, 'Shared, renamed');
        await pc.sync.keys.revoke(pc.user.id, local.id);
        // The revoke is the second POST under /api/keys/: the create's and the rename's requests pass first.
        server.inject({ ...step, ...fault, ...(stepName === 'push revoke' && { path: `/api/keys/${shared.id}/revoke` }) });
        await pc.sync.syncNow();
        if (fault.delayMs) await sleep(fault.delayMs + 100); // a delayed request is applied by now
        if ((await pc.sync.link.view()).signInNeeded) await pc.sync.link.signIn('ada@example.com', 'correct horse battery');
        await pc.sync.syncNow();
        await pc.sync.syncNow();

        const remote = server.session.keysOf(user.id);
        const live = remote.filter((k) => k.isActive);
        expect(live.filter((k) => k.name === 'New'), 'one live key for one create').toHaveLength(1);
        expect(server.session.key(shared.id)).toMatchObject({ name: 'Shared, renamed', isActive: false });
        const rows = pc.cloudKeys();
        for (const key of live) expect(rows.find((r) => r.cloud_id === key.id), `live key ${key.name} known here`).toBeDefined();
        for (const key of remote) expect(rows.find((r) => r.cloud_id === key.id)?.is_active).toBe(key.isActive);
        const newKey = live.find((k) => k.name === 'New')!;
        expect(pc.store.get('api_keys', made.id)!.cloud_id).toBe(newKey.id);
        expect(await pc.secrets.get(secretAccount(made.id))).toBe(newKey.key);
        expect(pc.store.count('cloud_outbox', { status: 'pending' })).toBe(0);
        expect(pc.sync.status().state).toBe('synced');
      }, 30_000);
    }
  }
});

describe('today’s hosted service: 501 on every session route', () => {
  it('says account sync is not offered yet, once; cloud voices with a pasted key still work', async () => {
    const server = await cloudServer();
    server.session.setSessionRoutes('not-implemented');
    const pc = await computer(server);
    await expect(pc.sync.link.signIn('ada@example.com', 'whatever it is')).rejects.toMatchObject({ code: 'NOT_OFFERED' });
    expect(await pc.sync.link.useToken('a-token-from-the-platform-sign-in')).toMatchObject({ status: 'linked', account: { signedIn: true, accountId: null } });
    await pc.sync.syncNow();
    const status = pc.sync.status();
    expect(status).toMatchObject({ state: 'not-offered', message: expect.stringMatching(/^Account sync is not offered by this service yet/) });
    expect(status.capabilities.find((c) => c.id === 'keys')).toMatchObject({ state: 'not-offered', reason: expect.stringContaining('Authentication not configured') });
    expect(status.capabilities.find((c) => c.id === 'voices')).toMatchObject({ state: 'ok' });
    const told = status.notices.length;
    expect(told).toBeGreaterThan(0);

    // Not retried in a loop: the next periodic run does not ask the routes it was told are not offered.
    const asked = server.requests.length;
    await pc.sync.scheduler.trigger();
    await pc.sync.syncNow(); // "Sync now" rechecks them, and says nothing new
    expect(pc.sync.status().notices).toHaveLength(told);
    expect(server.requests.slice(asked).filter((r) => r.path === '/api/v1/dashboard/account').length).toBeGreaterThan(0);

    // A key made here is never sent; the account's key, pasted, is.
    const { key: local } = await pc.keys.create(pc.user.id, { name: 'Here' });
    await expect(pc.generation.generate(pc.user.id, { text: 'Hello.', voice: 'rachel', keyId: local.id })).rejects.toMatchObject({ code: 'INVALID_API_KEY' });
    const pasted = await pc.sync.keys.paste(pc.user.id, server.keys.hobby, 'From the dashboard');
    await pc.generation.start();
    const memo = await pc.generation.generate(pc.user.id, { text: 'Hello from a pasted key.', voice: 'rachel' });
    expect(memo.api_key_id).toBe(pasted.id);
    for (let i = 0; i < 500 && ['queued', 'processing'].includes(pc.store.get('memos', memo.id)!.status); i++) await sleep(20);
    expect(pc.store.get('memos', memo.id)).toMatchObject({ status: 'completed' });
    const sent = server.requests.filter((r) => r.path === '/api/v1/memo');
    expect(sent.map((r) => r.authorization)).toEqual([`Bearer ${server.keys.hobby}`]);
    await pc.generation.stop();
  });
});
