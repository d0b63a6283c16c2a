/**
 * The sync bench's contract server, in a process of its own so that its work never counts in the app's stalls:
 * seeds an account (100 keys, a year of daily usage), prints `{"url": ...}` as its first line, and answers the
 * parent's IPC messages: `"state"` → `{ keys, revoked }` of the account. Ends when the parent disconnects.
 */
import { start } from '../cloud/server';

const server = await start();
const { user } = server.session.addUser('bench@example.com', 'correct horse battery', 'enterprise');
for (let i = 1; i < 100; i++) server.session.addKey(user.id, `Key ${i}`);
const cloudUser = server.session.user(user.id)!;
for (let d = 0; d < 366; d++) cloudUser.daily.set(new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10), { calls: d % 50, characters: d * 10 });

process.on('message', (message) => {
  if (message === 'state') {
    const keys = server.session.keysOf(user.id);
    process.send?.({ keys: keys.length, revoked: keys.filter((k) => !k.isActive).length });
  }
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
