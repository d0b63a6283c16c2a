/**
 * One opening of a profile, in a process of its own, as the app opens it (lock, file check, bounded integrity check):
 * `session-worker.ts PROFILE [METHOD [ARGS_JSON]]` prints one JSON line: the store's status, the method's answer
 * (a store.* call, e.g. store.restore), the status after it, and how many memos the profile then shows. The suites
 * run it in a child so that a store that crashes LMDB natively fails the test instead of killing the runner.
 */
import { openSession } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';

const [profileDir, method, args] = process.argv.slice(2);
const session = await openSession({ profileDir: profileDir!, secrets: sessionSecretStore('test') });
const before = session.status();
const answer = method ? await session.handle(method, args ? JSON.parse(args) : undefined) : null;
const memos = await session.handle('memos.list', { limit: 1 });
console.log(JSON.stringify({ before, answer, after: session.status(), memos: memos.ok ? (memos.value as { total: number }).total : memos.error }));
await session.close();
