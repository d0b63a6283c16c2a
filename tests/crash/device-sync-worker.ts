/**
 * Child process for the device sync crash test, killed with SIGKILL by the test:
 * - `write PROFILE FOLDER`: makes memos (each billed to a key, with audio) as fast as it can, printing each memo's
 *   id once committed, then a device sync round writes it into the folder;
 * - `read PROFILE FOLDER`: applies what the folder holds, printing `applied` as each file commits.
 */
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { sessionSecretStore } from '../../src-main/services/secrets';

const [mode, profileDir, folder] = process.argv.slice(2) as [string, string, string];
const store = await openAgentTalkStore({ profileDir });
const services = createServices({ store, secrets: sessionSecretStore('crash'), profileDir });
const user = services.accounts.current() ?? (await services.accounts.createProfile('crash@example.com'));
if (!services.devices.status().folder) await services.devices.configure({ folder, name: mode, audio: 'all' });

if (mode === 'read') {
  // Each committed file (its cursor moves in the same transaction), so the test can kill between and inside them.
  // A commit takes well under a millisecond, so the whole backlog would be applied before the test's kill arrives:
  // after each committed file the process waits 20 ms (blocking, as a slow disk would), and the kill lands there.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  store.onChange((entries) => {
    if (!entries.some((e) => e.table === 'sync_devices')) return;
    process.stdout.write('applied\n');
    Atomics.wait(pause, 0, 0, 20);
  });
  process.stdout.write('reading\n');
  await services.devices.run();
  process.stdout.write('done\n');
} else {
  const key = store.query('api_keys', { user_id: user.id })[0] ?? (await services.keys.create(user.id, { name: 'crash' })).key;
  const upgrade = store.query('subscriptions', { user_id: user.id })[0]!;
  await store.update('subscriptions', upgrade.id, { tier: 'enterprise' }); // no daily limit in the way
  for (let i = 0; ; i++) {
    const memo = await services.rateLimits.consume(key.id, 10, (tx, userId) =>
      tx.insert('memos', { user_id: userId, audio_url: '', duration_sec: 0, text: `Memo ${i} — ünïcödé`, status: 'queued' }),
    );
    const file = await services.audio.write(memo.result.id, 'wav', new TextEncoder().encode(`audio ${i}`));
    await store.update('memos', memo.result.id, { status: 'completed', audio_url: `/audio/${file}`, duration_sec: 1 });
    process.stdout.write(`${memo.result.id}\n`);
    // A round per memo, each writing its own file: the reader then has a backlog of many files to be killed in.
    await services.devices.run();
  }
}
