/**
 * Child process for the crash suite: mixed writes on the profile in argv[2], as the app makes them, several in
 * flight at once, until it is killed (SIGKILL) or asked to stop (SIGTERM: it finishes what is in flight, closes
 * the store and exits 0). One line per acknowledged write, printed only once its transaction has committed:
 *   M <memo id>          a memo and its usage log
 *   R                    a rate-limit call counted (consume allowed it)
 *   U <user id>          a user with a key, memos and usage logs
 *   D <user id>          that user deleted, with everything below it (cascade)
 *   F <code> <cause>     a commit failed: the writes of its batch were refused with a retryable StoreError
 * Any other error ends the process with code 1, which the suite counts as a failure.
 */
import { randomUUID } from 'node:crypto';
import { StoreError, openAgentTalkStore } from '../../src-main/db';
import { ServiceError } from '../../src-main/services/errors';
import { createRateLimitService } from '../../src-main/services/rate-limits';

const profileDir = process.argv[2]!;
const store = await openAgentTalkStore({ profileDir });
// Only the services these writes need: a cycle's start-up is most of its time.
const rateLimits = createRateLimitService(store, () => new Date());
const out = (line: string) => process.stdout.write(`${line}\n`);

const user = store.query('users', { email: 'writer@example.com' })[0] ?? (await store.insert('users', { email: 'writer@example.com' }));
const key = store.query('api_keys', { user_id: user.id })[0] ?? (await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'crash-suite-key', name: 'crash' }));
const ownerId = user.id;
const keyId = key.id;

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

async function memo(i: number): Promise<void> {
  const id = await store.transaction((tx) => {
    const row = tx.insert('memos', { user_id: ownerId, audio_url: `audio/${i}.wav`, duration_sec: 1, text: `Mémo ${i} `.repeat(40) });
    tx.insert('usage_logs', { user_id: ownerId, action: 'memo_created', metadata: { memo: row.id } });
    return row.id;
  });
  out(`M ${id}`);
}

async function consume(): Promise<void> {
  try {
    await rateLimits.consume(keyId, 20);
    out('R');
  } catch (error) {
    // The day's limit reached: refused and logged, as the app does; not a failure.
    if (!(error instanceof ServiceError)) throw error;
  }
}

/** A user with dependents, then (once acknowledged) deleted with all of them. */
async function cascade(i: number): Promise<void> {
  const victimId = await store.transaction((tx) => {
    // Unique across processes: a pid comes back (a victim killed before its delete keeps its email for good).
    const victim = tx.insert('users', { email: `victim-${randomUUID()}-${i}@example.com` });
    const victimKey = tx.insert('api_keys', { user_id: victim.id, key_hash: `hash-${victim.id}`, prefix: 'at_live_', name: 'v' });
    for (let m = 0; m < 15; m++) {
      const row = tx.insert('memos', { user_id: victim.id, api_key_id: victimKey.id, audio_url: 'v.wav', duration_sec: 1, text: 'v' });
      tx.insert('usage_logs', { user_id: victim.id, api_key_id: victimKey.id, action: 'memo_created', metadata: { memo: row.id } });
    }
    return victim.id;
  });
  out(`U ${victimId}`);
  await store.delete('users', victimId);
  out(`D ${victimId}`);
}

const OPS = [memo, consume, memo, cascade, consume, memo] as const;

async function worker(slot: number): Promise<void> {
  for (let i = slot; !stopping; i += OPS.length) {
    try {
      await OPS[i % OPS.length]!(i);
    } catch (error) {
      if (!(error instanceof StoreError && error.retryable)) throw error;
      out(`F ${error.code} ${String(error.details.cause ?? '').replaceAll('\n', ' ')}`);
    }
  }
}

try {
  await Promise.all(OPS.map((_, slot) => worker(slot)));
  await store.close();
  process.exit(0);
} catch (error) {
  console.error('mixed writer failed:', error);
  process.exit(1);
}
