/**
 * Child process for the crash test: writes memos as fast as it can, printing each id once its transaction is
 * committed, until it is killed.
 */
import { openAgentTalkStore } from '../../src-main/db';

const store = await openAgentTalkStore({ profileDir: process.argv[2]! });
const user = store.list('users')[0] ?? (await store.insert('users', { email: 'crash@example.com' }));
for (let i = 0; ; i++) {
  // Several writers in flight at once, so the kill lands inside batched commits, not between them.
  const batch = await Promise.all(
    Array.from({ length: 8 }, (_, j) =>
      store.transaction((tx) => {
        const memo = tx.insert('memos', { user_id: user.id, audio_url: `audio/${i}-${j}.wav`, duration_sec: 1, text: 'x'.repeat(2000) });
        tx.insert('usage_logs', { user_id: user.id, action: 'memo_created', metadata: { memo: memo.id } });
        return memo.id;
      }),
    ),
  );
  process.stdout.write(batch.map((id) => `${id}\n`).join(''));
}
