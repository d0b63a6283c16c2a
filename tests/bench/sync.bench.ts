/**
 * `npx tsx tests/bench/sync.bench.ts`: cloud sync against the loopback contract server, on this machine.
 * - pull: an account with 100 keys and a year of daily usage, into a fresh profile (one sync);
 * - push: 1,000 queued key changes (renames of those keys, then 20 revokes) in one sync.
 * Each line: wall time, and the main thread's longest stall (`monitorEventLoopDelay`; target: none over 50 ms).
 * The contract server runs in the same process (its own work counts in the stalls measured). It is never a test; it checks that the server ends with what was pushed, and exits non-zero when not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { start } from '../cloud/server';

const TARGET_STALL_MS = 50;

async function measure<T>(work: () => Promise<T>): Promise<{ ms: number; stallMs: number; value: T }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  delay.disable();
  return { ms, stallMs: delay.max / 1e6, value };
}

const line = (what: string, { ms, stallMs }: { ms: number; stallMs: number }) =>
  console.log(`sync  ${what.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(7)} s   longest stall ${stallMs.toFixed(1).padStart(6)} ms  ${stallMs <= TARGET_STALL_MS ? 'PASS' : 'MISS'} (≤ ${TARGET_STALL_MS} ms)`);

const server = await start();
const dir = mkdtempSync(join(tmpdir(), 'agent-talk-sync-bench-'));
try {
  const { user } = server.session.addUser('bench@example.com', 'correct horse battery', 'enterprise');
  for (let i = 1; i < 100; i++) server.session.addKey(user.id, `Key ${i}`);
  const cloudUser = server.session.user(user.id)!;
  for (let d = 0; d < 366; d++) cloudUser.daily.set(new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10), { calls: d % 50, characters: d * 10 });

  const store = await openAgentTalkStore({ profileDir: dir });
  const services = createServices({ store, secrets: sessionSecretStore('bench'), profileDir: dir });
  const me = await services.accounts.createProfile('bench@example.com');
  await services.settings.update({ cloudUrl: server.url });
  await services.sync.link.signIn('bench@example.com', 'correct horse battery');

  line('pull 100 keys and a year of daily usage', await measure(() => services.sync.syncNow()));
  const keys = store.query('api_keys', { user_id: me.id }).filter((k) => k.origin === 'cloud');
  const days = store.count('cloud_usage');

  const queue = await measure(async () => {
    for (let i = 0; i < 980; i++) await services.sync.keys.rename(me.id, keys[i % keys.length]!.id, `Renamed ${i}`);
    for (let i = 0; i < 20; i++) await services.sync.keys.revoke(me.id, keys[i]!.id);
  });
  line('queue 1,000 key changes (offline, into the outbox)', queue);
  line('push 1,000 queued key changes', await measure(() => services.sync.syncNow()));

  const remote = server.session.keysOf(user.id);
  const ok = keys.length === 100 && days === 366 && remote.filter((k) => !k.isActive).length === 20 && store.count('cloud_outbox', { status: 'pending' }) === 0;
  await store.close();
  if (!ok) {
    console.error(`sync bench: unexpected end state (keys ${keys.length}, days ${days}, revoked ${remote.filter((k) => !k.isActive).length})`);
    process.exitCode = 1;
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
