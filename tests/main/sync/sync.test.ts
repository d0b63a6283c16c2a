// Cloud sync against the contract server: sign in, pull what the service owns, push key changes through the outbox.
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../../src-main/services/keys';
import { secretAccount } from '../../../src-main/services/keys';
import { cloudServer, computer, type Computer } from './helpers';
import type { CloudServer } from '../../cloud/server';

const DOWN = 'http://127.0.0.1:9';

async function linked(server: CloudServer, options: Parameters<typeof computer>[1] = {}) {
  const pc = await computer(server, options);
  expect(await pc.sync.link.signIn('ada@example.com', 'correct horse battery')).toMatchObject({ status: 'linked' });
  await pc.sync.syncNow();
  return pc;
}

/** Every live key of the account is known to the computer, with the same name and state, and nothing waits. */
function expectInStep(server: CloudServer, userId: string, pc: Computer) {
  const remote = server.session.keysOf(userId);
  const local = pc.cloudKeys();
  for (const key of remote) {
    const row = local.find((k) => k.cloud_id === key.id);
    expect(row, `key ${key.name} known here`).toBeDefined();
    expect({ name: row!.name, active: row!.is_active }).toEqual({ name: key.name, active: key.isActive });
  }
  expect(pc.store.count('cloud_outbox', { status: 'pending' })).toBe(0);
}

describe('linking the account', () => {
  it('signs in, asks first when the account email differs from the profile’s, keeps the token in the keychain only', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('Ada.Lovelace@Example.com', 'correct horse battery', 'pro');
    const pc = await computer(server, { email: 'ada@example.com' });
    const answer = await pc.sync.link.signIn('ada.lovelace@example.com', 'correct horse battery');
    expect(answer).toEqual({ status: 'confirm', accountEmail: 'ada.lovelace@example.com', profileEmail: 'ada@example.com' });
    expect(await pc.sync.link.view()).toMatchObject({ signedIn: false });

    expect(await pc.sync.link.signIn('ada.lovelace@example.com', 'correct horse battery', true)).toMatchObject({ status: 'linked', account: { signedIn: true, accountId: user.id } });
    expect(pc.accounts.current()!.email).toBe('ada.lovelace@example.com');
    const token = await pc.secrets.get(`cloud-session:${pc.user.id}`);
    expect(token).toEqual(expect.any(String));
    // Never in the store: no setting, no row holds it.
    expect(JSON.stringify(pc.store.list('settings'))).not.toContain(token!);

    await expect(pc.sync.link.signIn('ada.lovelace@example.com', 'wrong password')).rejects.toMatchObject({ code: 'SIGN_IN_NEEDED' });
    expect(await pc.sync.link.signOut()).toMatchObject({ signedIn: false });
    expect(await pc.secrets.get(`cloud-session:${pc.user.id}`)).toBeNull();
  });

  it('compares emails without regard to case: the same address in other capitals links at once', async () => {
    const server = await cloudServer();
    server.session.addUser('ADA@example.com', 'correct horse battery');
    const pc = await computer(server, { email: 'ada@EXAMPLE.com' });
    expect(await pc.sync.link.signIn('ada@example.com', 'correct horse battery')).toMatchObject({ status: 'linked' });
  });
});

describe('a sync', () => {
  it('pulls tier, role, subscription, keys, a year of daily usage, voices and plans (server wins)', async () => {
    const server = await cloudServer();
    const { user, defaultKey } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    server.session.user(user.id)!.daily.set(new Date().toISOString().slice(0, 10), { calls: 7, characters: 700 });
    server.session.user(user.id)!.daily.set(new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10), { calls: 3, characters: 90 });
    const pc = await linked(server);
    expect(pc.accounts.tier(pc.user.id)).toBe('pro');
    expect(pc.subscriptions.get(pc.user.id)).toMatchObject({ tier: 'pro', status: 'active' });
    const [key] = pc.cloudKeys();
    expect(key).toMatchObject({ cloud_id: defaultKey.id, name: 'Default Key', origin: 'cloud', is_active: true, key_suffix: defaultKey.key.slice(-6) });
    expect(pc.keys.list(pc.user.id)[0]).toMatchObject({ kind: 'cloud', usable: false, maskedKey: `at_live_***...${defaultKey.key.slice(-6)}` });
    expect(pc.sync.cloudDaily(1)).toEqual([{ date: new Date().toISOString().slice(0, 10), calls: 7, characters: 700 }]);
    expect(pc.sync.cloudDaily(366).reduce((n, d) => n + d.calls, 0)).toBe(10);
    expect(pc.sync.status()).toMatchObject({ state: 'synced', waiting: 0, capabilities: expect.arrayContaining([expect.objectContaining({ id: 'voices', state: 'ok' }), expect.objectContaining({ id: 'tiers', state: 'ok' })]) });
  });

  it('creates, renames and revokes a cloud key through the outbox; the full key lands in the keychain only', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    const pc = await linked(server);
    const made = await pc.sync.keys.create(pc.user.id, { name: 'Laptop ☕' });
    expect(pc.sync.status()).toMatchObject({ state: 'waiting', waiting: 1 });
    await pc.sync.syncNow();
    const remote = server.session.keysOf(user.id).find((k) => k.name === 'Laptop ☕')!;
    const row = pc.store.get('api_keys', made.id)!;
    expect(row).toMatchObject({ cloud_id: remote.id, key_hash: hashKey(remote.key) });
    expect(await pc.secrets.get(secretAccount(made.id))).toBe(remote.key);
    expect(JSON.stringify(pc.store.list('cloud_outbox'))).not.toContain(remote.key);

    await pc.sync.keys.rename(pc.user.id, made.id, 'Desk');
    await pc.sync.keys.revoke(pc.user.id, made.id);
    await pc.sync.syncNow();
    expect(server.session.key(remote.id)).toMatchObject({ name: 'Desk', isActive: false });
    expect(await pc.secrets.get(secretAccount(made.id))).toBeNull();
    expectInStep(server, user.id, pc);
    expect(pc.sync.status()).toMatchObject({ state: 'synced' });
  });

  it('keeps changes made offline, in order, and pushes them when the service is back', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    const pc = await linked(server);
    pc.redirect(DOWN);
    const a = await pc.sync.keys.create(pc.user.id, { name: 'A' });
    await pc.sync.keys.rename(pc.user.id, a.id, 'A renamed');
    const b = await pc.sync.keys.create(pc.user.id, { name: 'B' });
    await pc.sync.keys.revoke(pc.user.id, b.id);
    await pc.sync.syncNow();
    expect(pc.sync.status()).toMatchObject({ state: 'offline', waiting: 4, outbox: [{ op: 'create' }, { op: 'rename' }, { op: 'create' }, { op: 'revoke' }] });
    // Backed off, not retried in a loop.
    expect(pc.timers.planned.at(-1)).toBeGreaterThanOrEqual(1_000);

    pc.redirect(server.url);
    await pc.sync.syncNow();
    const names = server.session.keysOf(user.id).map((k) => [k.name, k.isActive]);
    expect(names).toEqual(expect.arrayContaining([['A renamed', true], ['B', false]]));
    expect(names.filter(([, active]) => active)).toHaveLength(2); // A and the default key
    expectInStep(server, user.id, pc);
  });

  it('an expired session pauses sync and asks to sign in again; nothing waiting is lost', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    const pc = await linked(server);
    await pc.sync.keys.create(pc.user.id, { name: 'After expiry' });
    server.session.expireSessions();
    await pc.sync.syncNow();
    expect(pc.sync.status()).toMatchObject({ state: 'sign-in', waiting: 1 });
    expect(await pc.sync.link.view()).toMatchObject({ signInNeeded: true });
    const asked = server.requests.length;
    await pc.sync.syncNow(); // paused: nothing is sent with a refused session
    expect(server.requests.slice(asked).filter((r) => r.path.startsWith('/api/keys'))).toHaveLength(0);

    await pc.sync.link.signIn('ada@example.com', 'correct horse battery');
    await pc.sync.syncNow();
    expect(server.session.keysOf(user.id).map((k) => k.name)).toContain('After expiry');
    expectInStep(server, user.id, pc);
  });

  it('honours a 429’s Retry-After: the next run is planned no sooner', async () => {
    const server = await cloudServer();
    server.session.addUser('ada@example.com', 'correct horse battery');
    const pc = await linked(server);
    server.inject({ path: '/api/v1/dashboard/account', status: 429, retryAfter: 120 });
    await pc.sync.syncNow();
    expect(pc.sync.status()).toMatchObject({ state: 'offline' });
    expect(pc.timers.planned.at(-1)).toBeGreaterThanOrEqual(120_000);
  });

  it('works with this computer’s clock 3 hours ahead or behind the service’s, on the other side of midnight', async () => {
    // The service's clock is set, not the real one: at 22:00 with this computer 3 h ahead (already tomorrow), and at
    // 01:00 with it 3 h behind (still yesterday), whatever time of day the test runs. (On the real clock, the computer
    // behind was on another day than the service only from 00:00 to 03:00 UTC.)
    for (const [serviceAt, skewHours] of [['2026-12-02T22:00:00.000Z', 3], ['2026-12-03T01:00:00.000Z', -3]] as const) {
      const offsetMs = Date.parse(serviceAt) - Date.now();
      const server = await cloudServer({ clock: () => new Date(Date.now() + offsetMs) });
      const { user } = server.session.addUser('ada@example.com', 'correct horse battery');
      const today = serviceAt.slice(0, 10); // the service's day
      server.session.user(user.id)!.daily.set(today, { calls: 5, characters: 50 });
      const pc = await linked(server, { skewMs: offsetMs + skewHours * 3_600_000 });
      await pc.sync.keys.create(pc.user.id, { name: 'Skewed' });
      await pc.sync.syncNow();
      expectInStep(server, user.id, pc);
      // The service's day is pulled on either side: the pull asks for a day more than this computer's today.
      expect(pc.store.get('cloud_usage', today)).toMatchObject({ calls: 5 });
      expect(pc.sync.status().state).toBe('synced');
    }
  });
});

describe('two computers on one account', () => {
  it('one revokes a key offline, the other renames it offline; after both sync all say revoked, and the user is told', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    const shared = server.session.addKey(user.id, 'Shared');
    const a = await linked(server);
    const b = await linked(server);
    const onA = a.cloudKeys().find((k) => k.cloud_id === shared.id)!;
    const onB = b.cloudKeys().find((k) => k.cloud_id === shared.id)!;

    a.redirect(DOWN);
    b.redirect(DOWN);
    await a.sync.keys.revoke(a.user.id, onA.id);
    await b.sync.keys.rename(b.user.id, onB.id, 'Shared, renamed on B');
    a.redirect(server.url);
    b.redirect(server.url);
    await a.sync.syncNow();
    await b.sync.syncNow();
    await a.sync.syncNow();

    expect(server.session.key(shared.id)).toMatchObject({ isActive: false, name: 'Shared, renamed on B' });
    for (const pc of [a, b]) {
      expect(pc.store.get('api_keys', pc === a ? onA.id : onB.id)).toMatchObject({ is_active: false, name: 'Shared, renamed on B' });
      expectInStep(server, user.id, pc);
    }
    expect(b.sync.status().notices[0]!.message).toMatch(/“Shared, renamed on B” was revoked on the service/);
  });

  it('a key made on the other computer with the same name is never taken for a lost create’s copy', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
    const a = await linked(server);
    const b = await linked(server);
    const live = (name: string) => server.session.keysOf(user.id).filter((k) => k.isActive && k.name === name);

    // A's create is applied but its answer lost; meanwhile B makes a key of the same name.
    const onA = await a.sync.keys.create(a.user.id, { name: 'Work' });
    server.inject({ method: 'POST', path: '/api/keys', dropAfterApply: true });
    await a.sync.syncNow();
    const onB = await b.sync.keys.create(b.user.id, { name: 'Work' });
    await b.sync.syncNow();
    const bKey = b.store.get('api_keys', onB.id)!.cloud_id!;
    await a.sync.syncNow();

    // A's lost copy is revoked and its key made again; B's stays live.
    expect(server.session.key(bKey)).toMatchObject({ isActive: true, name: 'Work' });
    expect(live('Work').map((k) => k.id).sort()).toEqual([a.store.get('api_keys', onA.id)!.cloud_id, bKey].sort());
    expect(server.session.keysOf(user.id).filter((k) => !k.isActive)).toHaveLength(1);

    // Within minutes of A's create, B makes another "Work": A's next sync keeps it live too.
    const again = await b.sync.keys.create(b.user.id, { name: 'Work' });
    await b.sync.syncNow();
    await a.sync.syncNow();
    await b.sync.syncNow();
    expect(server.session.key(b.store.get('api_keys', again.id)!.cloud_id!)).toMatchObject({ isActive: true, name: 'Work' });
    expect(live('Work')).toHaveLength(3);
    for (const pc of [a, b]) expectInStep(server, user.id, pc);
    expect(a.sync.status().notices.filter((n) => /revoked/.test(n.message))).toEqual([]);
  });
});
