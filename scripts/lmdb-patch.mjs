/**
 * `npm install` runs this (postinstall): lmdb-js with a fix of its own LMDB fork, built from source.
 *
 * lmdb-js 3.5.6 (the newest published) crashes natively (SIGSEGV) in about 2% of the first commits after opening a
 * store whose free list has older records (seen in the crash suite, tests/crash/mixed-kill.test.ts, and at any start of
 * a store used for a while). Every crash has the same stack: mdb_txn_commit → mdb_freelist_save → mdb_cursor_put
 * (re-reserving a free-list record whose size changed: its node is deleted first, which can leave a leaf of the free
 * DB empty) → mdb_page_new → mdb_page_alloc, which, with no free page in hand, reads older free-list records
 * backwards with a second cursor over the same free DB (mdb_cursor_prev), steps onto the empty leaf and reads its
 * node -1. lmdb-js already forbids that backwards read once the save starts deleting records
 * (me_freelist_no_reverse_iteration); the fix forbids it for the whole save, so a page it needs then comes from the
 * end of the file instead.
 *
 *
 * Second fix, of the commit path (the store's group commit, src-main/db/store.ts): in an overlappingSync environment
 * a MDB_NOSYNC commit writes its meta page marked unflushed and LMDB reuses no page a flushed commit may still need,
 * so after a power cut the file opens at the last flushed commit, consistent; but the committing thread then waits
 * for the fdatasync itself (0.2 ms on a quiet disk, several ms under load: on the Electron main thread). A commit
 * begun with MDB_NOSYNC|MDB_NOMETASYNC (no other caller uses both) now returns once its meta is written, as lmdb-js's
 * own write thread's commits resolve before their flush; the store flushes after it on a libuv thread (`env.sync`).
 *
 * The patched source is built into node_modules/lmdb/build/Release, which lmdb-js loads before its prebuilt
 * binaries (and which electron-builder rebuilds from the same patched source for Electron). Idempotent; does
 * nothing for another lmdb version. A failed build leaves the prebuilt binary in place and says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.5.6';
const MARKER = '/* agent-talk: no backwards free-list read while the free list is saved */';
const lmdbDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'lmdb');
const source = join(lmdbDir, 'dependencies', 'lmdb', 'libraries', 'liblmdb', 'mdb.c');
const built = join(lmdbDir, 'build', 'Release', 'lmdb.node');

const { version } = JSON.parse(readFileSync(join(lmdbDir, 'package.json'), 'utf8'));
if (version !== VERSION) {
  console.warn(`lmdb-patch: lmdb is ${version}, not ${VERSION}: not patched (check whether it still needs the fix).`);
  process.exit(0);
}

let text = readFileSync(source, 'utf8');
const original = text;
const DEFERRED = '/* agent-talk: a MDB_NOSYNC|MDB_NOMETASYNC commit leaves its flush to mdb_env_sync */';
if (!text.includes(DEFERRED)) {
  const anchor = '\tif ((txn->mt_flags & MDB_NOSYNC) && (env->me_flags & MDB_OVERLAPPINGSYNC)) {\n\t\tsize_t txn_id = txn->mt_txnid;';
  if (text.split(anchor).length !== 2) throw new Error(`lmdb-patch: the overlapping-sync commit end not found once in ${source}`);
  text = text.replace(
    anchor,
    [
      `\t${DEFERRED}`,
      '\tif ((txn->mt_flags & (MDB_NOSYNC|MDB_NOMETASYNC)) == (MDB_NOSYNC|MDB_NOMETASYNC) && (env->me_flags & MDB_OVERLAPPINGSYNC)) {',
      '\t\tmdb_txn_end(txn, end_mode);',
      '\t\tif (callback)',
      '\t\t\tcallback(ctx, 1);',
      '\t\treturn MDB_SUCCESS;',
      '\t}',
      anchor,
    ].join('\n'),
  );
}
if (!text.includes(MARKER)) {
  const definition = 'static int\nmdb_freelist_save(MDB_txn *txn)\n{';
  if (text.split(definition).length !== 2) throw new Error(`lmdb-patch: mdb_freelist_save not found once in ${source}`);
  text = text.replace(
    definition,
    [
      MARKER,
      'static int mdb_freelist_save0(MDB_txn *txn);',
      'static int',
      'mdb_freelist_save(MDB_txn *txn)',
      '{',
      '\tMDB_env *env = txn->mt_env;',
      '\tint rc;',
      '\tenv->me_freelist_no_reverse_iteration = 1;',
      '\trc = mdb_freelist_save0(txn);',
      '\tenv->me_freelist_no_reverse_iteration = 0;',
      '\treturn rc;',
      '}',
      'static int',
      'mdb_freelist_save0(MDB_txn *txn)',
      '{',
    ].join('\n'),
  );
}
if (text !== original) writeFileSync(source, text);

// Built already from this very source: nothing to do. A fix added since (the source just changed) rebuilds.
if (existsSync(built) && text === original && !process.argv.includes('--rebuild')) process.exit(0);
// Node's own headers where it ships them (Debian's nodejs), else node-gyp fetches them.
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
try {
  // npm names the node-gyp it ships to the scripts it runs; run by hand, the one in node_modules.
  const nodeGyp = process.env.npm_config_node_gyp ?? join(dirname(lmdbDir), 'node-gyp', 'bin', 'node-gyp.js');
  execFileSync(process.execPath, [nodeGyp, 'rebuild', ...nodedir], { cwd: lmdbDir, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log('lmdb-patch: lmdb built from source with its fixes (free list, deferred flush).');
} catch (error) {
  console.warn(`lmdb-patch: building lmdb failed (${error instanceof Error ? error.message : String(error)}); its prebuilt binary, without the fix, stays in use.`);
}
