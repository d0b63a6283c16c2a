/**
 * Sync between computers through a shared folder that Syncthing, Dropbox, a network share or any other carrier
 * copies between them (the format: docs/device-sync-format.md). Each round:
 * 1. this computer's new changes are taken from the change feed into numbered outbox files (stamped, in LMDB);
 * 2. the outbox is written into this device's own directory (temporary name, flush, rename; audio as
 *    content-addressed blobs, each written once);
 * 3. every other device's files are applied in order from its cursor, each file in one transaction with the
 *    cursor's move, once the files it depends on are applied; a file not yet whole, or after a gap, waits;
 * 4. snapshots for new computers, removal of own files every device has read, tombstones after 90 days.
 * The folder unplugged, read-only or full is a state, not a loss: everything waits in LMDB and resumes.
 */
import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceSyncStatus, DeviceView } from '../../../src-shared/contract/devices';
import {
  FORMAT,
  FORMAT_VERSION,
  changeFileName,
  changeSeqOf,
  encodeFile,
  isConflictCopy,
  isDeviceId,
  parseFile,
  snapshotFileName,
  snapshotSeqOf,
  type DeviceFile,
  type SnapshotFile,
  type SyncOp,
} from '../../../src-shared/sync/format';
import type { SyncDevice, SyncRow } from '../../../src-shared/schema';
import type { AgentTalkStore } from '../../db';
import type { AudioFiles } from '../audio-files';
import { ServiceError } from '../errors';
import type { Clock } from '../time';
import { applyOps, type Applied, type OpsSource } from './apply';
import { FolderError, createFolder, hashFile, sha256Hex, type Folder } from './folder';
import { takeEverything, takeLocalChanges, type LocalAudio, type Stamper } from './local-changes';
import { CLOCK_KEY, ORIGIN, SETTINGS_KEY, profileUserId, readClock, readSettings, upsert, type AudioRef, type DeviceSyncClock, type DeviceSyncSettings } from './rows';
import { snapshotOps } from './snapshot';

export const TOMBSTONE_DAYS = 90;
const DAY_MS = 86_400_000;

export interface DeviceSyncOptions {
  store: AgentTalkStore;
  audio: AudioFiles;
  clock?: Clock;
  /** Own change files written between two snapshots. */
  snapshotEvery?: number;
}

export function createDeviceSync({ store, audio, clock = () => new Date(), snapshotEvery = 200 }: DeviceSyncOptions) {
  const listeners = new Set<(status: DeviceSyncStatus) => void>();
  let problem: { state: 'unavailable' | 'read-only' | 'full' | 'error'; message: string } | null = null;
  const conflicts = new Set<string>();
  const problems: string[] = [];
  /** Memos whose audio is to fetch (all mode), retried each round until the carrier brings the blob. */
  const pendingAudio = new Set<string>();
  let lastRound: string | null = null;
  let lastDeviceFile = { key: '', text: '' };
  let firstRound = true;
  let running: Promise<DeviceSyncStatus> | null = null;
  let again = false;

  const report = (message: string) => {
    problems.push(message);
    problems.splice(0, Math.max(0, problems.length - 20));
  };

  const stamper = (self: string): Stamper => ({
    self,
    physical: () => clock().getTime(),
    changes: (after, limit) => store.changes(after, limit),
    lastChangeSeq: () => store.lastChangeSeq(),
  });

  function settings(): DeviceSyncSettings | undefined {
    return readSettings(store);
  }

  function status(): DeviceSyncStatus {
    const s = settings();
    const devices: DeviceView[] = store
      .list('sync_devices')
      .filter((d) => !d.removed_at)
      .map((d) => ({
      id: d.id,
      name: d.name,
      self: d.is_self,
      lastHeardAt: d.last_heard_at,
      toRead: Math.max(0, d.seen_seq - d.applied_seq),
    }));
    const toWrite = store.list('sync_outbox').reduce((n, row) => n + (row.ops as unknown[]).length, 0);
    const toRead = devices.reduce((n, d) => n + d.toRead, 0);
    const state = !s?.folder ? 'off' : problem ? problem.state : toWrite > 0 || toRead > 0 ? 'pending' : 'in-step';
    return {
      state,
      message: problem?.message ?? null,
      folder: s?.folder ?? null,
      deviceId: s?.deviceId ?? null,
      name: s?.name ?? '',
      audio: s?.audio ?? 'when-needed',
      toWrite,
      toRead,
      devices,
      conflicts: [...conflicts],
      problems: [...problems],
      lastSyncAt: lastRound,
    };
  }

  function emit(): DeviceSyncStatus {
    const current = status();
    listeners.forEach((listener) => listener(current));
    return current;
  }

  /** Writes the outbox into the folder, oldest first; each file then leaves the outbox with its number recorded. */
  async function flushOutbox(folder: Folder, self: string): Promise<void> {
    let used: Set<string> | null = null;
    for (const row of store.list('sync_outbox', { orderBy: 'id' })) {
      const ops = row.ops as SyncOp[];
      const audioRefs = new Map<string, AudioRef | null>();
      for (const op of ops) {
        if (op.op !== 'put' || op.table !== 'memos') continue;
        const local = op.values.audio as LocalAudio | null | undefined;
        if (!local || !('localFile' in local)) continue;
        const ref = await publishAudio(folder, self, local.localFile, (used ??= liveAudio()));
        audioRefs.set(op.id, ref);
        (op.values as Record<string, unknown>).audio = ref;
      }
      const path = folder.changePath(self, changeFileName(row.seq));
      // Written before a crash that came before the outbox row went: the file is whole (renamed into place).
      if (!(await folder.exists(path))) {
        const file = { format: FORMAT, version: FORMAT_VERSION, kind: 'changes', device: self, seq: row.seq, deps: row.deps as Record<string, number>, written_at: clock().toISOString(), ops } as const;
        await folder.write(path, folder.changesDir(self), encodeFile(file, sha256Hex));
      }
      await store.transaction(
        (tx) => {
          tx.delete('sync_outbox', row.id);
          const current = readClock(tx)!;
          upsert(tx, 'settings', CLOCK_KEY, { value: { ...current, writtenSeq: Math.max(current.writtenSeq, row.seq) } });
          for (const [memoId, ref] of audioRefs) if (tx.get('sync_rows', `memos:${memoId}`)) tx.update('sync_rows', `memos:${memoId}`, { audio: ref });
        },
        { origin: ORIGIN },
      );
    }
  }

  /**
   * A local audio file as a blob in this device's directory, once: skipped when a device has it already and a memo
   * not deleted uses it (the audio of deleted memos may go: a copy of one is written here).
   */
  async function publishAudio(folder: Folder, self: string, localFile: string, used: Set<string>): Promise<AudioRef | null> {
    const path = join(audio.dir, localFile);
    const ext = localFile.endsWith('.mp3') ? 'mp3' : 'wav';
    let hashed: { sha256: string; bytes: number };
    try {
      hashed = await hashFile(path);
    } catch {
      return null; // the memo (and its audio) went before its change was written: its deletion follows
    }
    const devices = used.has(hashed.sha256) ? await folder.devices() : [self];
    const present = await Promise.all(devices.map((d) => folder.exists(folder.blobPath(d, hashed.sha256))));
    if (!present.some(Boolean)) await folder.write(folder.blobPath(self, hashed.sha256), folder.blobsDir(self), await readFile(path));
    used.add(hashed.sha256);
    return { sha256: hashed.sha256, ext, bytes: hashed.bytes };
  }

  /** Copies a memo's audio from the folder into the profile, checked against its hash; false while not there yet. */
  async function fetchAudio(folder: Folder, memoId: string): Promise<boolean> {
    const ref = store.get('sync_rows', `memos:${memoId}`)?.audio as AudioRef | null | undefined;
    const memo = store.get('memos', memoId);
    if (!ref || !memo) return true;
    const target = join(audio.dir, `${memoId}.${ref.ext}`);
    if (await folder.exists(target)) {
      // Here already: fetched before, or made here. Never fetched twice.
      return true;
    }
    for (const device of await folder.devices()) {
      const bytes = await readFile(folder.blobPath(device, ref.sha256)).catch(() => null);
      if (!bytes) continue;
      if (sha256Hex(bytes) !== ref.sha256) continue; // still being copied by the carrier
      await audio.write(memoId, ref.ext, bytes);
      return true;
    }
    return false;
  }

  async function writeDeviceFile(folder: Folder, self: string, name: string): Promise<void> {
    const cursors = Object.fromEntries(store.list('sync_devices').filter((d) => !d.is_self).map((d) => [d.id, d.applied_seq]));
    const seq = readClock(store)!.writtenSeq;
    const key = JSON.stringify({ name, seq, cursors });
    // Unchanged and still as written: nothing to do. Gone, damaged, or an older copy a carrier put back: written anew.
    if (key === lastDeviceFile.key && (await folder.read(folder.deviceFile(self))) === lastDeviceFile.text) return;
    const file: DeviceFile = { format: FORMAT, version: FORMAT_VERSION, kind: 'device', device: self, name, seq, cursors, written_at: clock().toISOString() };
    const text = encodeFile(file, sha256Hex);
    await folder.write(folder.deviceFile(self), folder.deviceDir(self), text);
    lastDeviceFile = { key, text };
  }

  /** Applies ops (a change file's or a snapshot's) with the cursors they move, in one transaction. */
  async function applyFile(self: string, ops: readonly SyncOp[], cursors: Readonly<Record<string, number>>, source: OpsSource): Promise<Applied> {
    const now = clock();
    const applied = await store.transaction(
      (tx) => {
        // This computer's own new changes are stamped first, so the merge weighs them against what arrives.
        takeLocalChanges(tx, stamper(self));
        const profile = profileUserId(tx)!;
        const result = applyOps(tx, ops, { self, profile, physical: now.getTime(), now: now.toISOString(), source });
        for (const [device, seq] of Object.entries(cursors)) {
          if (device === self) continue;
          const known = tx.get('sync_devices', device);
          if (known && known.applied_seq >= seq) continue;
          upsert(tx, 'sync_devices', device, { applied_seq: seq, seen_seq: Math.max(seq, known?.seen_seq ?? 0), last_heard_at: now.toISOString() });
        }
        return result;
      },
      { origin: ORIGIN },
    );
    applied.rejected.forEach(report);
    applied.audio.forEach((id) => pendingAudio.add(id));
    for (const id of applied.deleted) {
      pendingAudio.delete(id);
      await audio.remove(id);
    }
    return applied;
  }

  /** The latest whole snapshot of each device, read from the folder. */
  async function readSnapshots(folder: Folder, devices: readonly string[]): Promise<SnapshotFile[]> {
    const snapshots: SnapshotFile[] = [];
    for (const device of devices) {
      const { snapshots: names } = await folder.list(device, changeSeqOf, (n) => snapshotSeqOf(n) !== null, isConflictCopy);
      for (const name of names.reverse()) {
        const text = await folder.read(join(folder.deviceDir(device), name));
        const parsed = text === null ? null : parseFile(text, 'snapshot', sha256Hex);
        if (parsed?.ok && parsed.file.device === device) {
          snapshots.push(parsed.file);
          break;
        }
      }
    }
    return snapshots;
  }

  const isRemoved = (device: string) => Boolean(store.get('sync_devices', device)?.removed_at);

  /** Reads every other device's directory and applies what is ready, until nothing more is. */
  async function readOthers(folder: Folder, self: string): Promise<void> {
    const devices = (await folder.devices()).filter((d) => isDeviceId(d) && d !== self);
    const listings = new Map<string, number[]>();
    for (const device of devices) {
      const listing = await folder.list(device, changeSeqOf, (n) => snapshotSeqOf(n) !== null, isConflictCopy);
      listing.conflicts.forEach((name) => conflicts.add(`${device}/${name}`));
      listings.set(device, listing.changes);
      const text = await folder.read(folder.deviceFile(device));
      const parsed = text === null ? null : parseFile(text, 'device', sha256Hex);
      const known = store.get('sync_devices', device);
      const seen = Math.max(listing.changes.at(-1) ?? 0, parsed?.ok ? parsed.file.seq : 0);
      const info = parsed?.ok ? { name: parsed.file.name, cursors: parsed.file.cursors } : {};
      const newCursors = parsed?.ok && JSON.stringify(known?.cursors) !== JSON.stringify(parsed.file.cursors);
      const heard = !known || known.seen_seq !== seen || newCursors;
      // A removed device that writes again came back after all: it is in the list again.
      const back = known?.removed_at && (seen > known.seen_seq || newCursors);
      if (heard || back || (parsed?.ok && known?.name !== parsed.file.name)) {
        await store.transaction(
          (tx) =>
            upsert(tx, 'sync_devices', device, {
              ...info,
              seen_seq: Math.max(seen, known?.seen_seq ?? 0),
              ...(heard && { last_heard_at: clock().toISOString() }),
              ...(back && { removed_at: null }),
            }),
          { origin: ORIGIN },
        );
      }
    }
    let snapshotsTried = false;
    for (let progress = true; progress; ) {
      progress = false;
      for (const device of devices) {
        if (isRemoved(device)) continue; // its files are no longer waited for
        const applied = store.get('sync_devices', device)?.applied_seq ?? 0;
        const next = applied + 1;
        const files = listings.get(device) ?? [];
        if (!files.includes(next)) {
          // Its files up to here were removed once every device had read them: start from snapshots.
          const seen = store.get('sync_devices', device)?.seen_seq ?? 0;
          const removed = files.length > 0 ? files[0]! > next : seen >= next;
          if (removed && !snapshotsTried) {
            snapshotsTried = true;
            for (const snapshot of await readSnapshots(folder, [...devices, self])) {
              const cursors = { ...snapshot.cursors, [snapshot.device]: snapshot.seq };
              const ahead = Object.entries(cursors).some(([d, n]) => d !== self && (store.get('sync_devices', d)?.applied_seq ?? 0) < n);
              if (ahead) await applyFile(self, snapshot.ops, cursors, null);
            }
            progress = true;
          }
          continue;
        }
        const text = await folder.read(folder.changePath(device, changeFileName(next)));
        if (text === null) continue;
        const parsed = parseFile(text, 'changes', sha256Hex);
        if (!parsed.ok) {
          if (parsed.reason === 'invalid') report(`${device}/${changeFileName(next)}: ${parsed.message}`);
          continue; // incomplete: the carrier is still copying it
        }
        const { file } = parsed;
        if (file.device !== device || file.seq !== next) {
          report(`${device}/${changeFileName(next)}: names device ${file.device} file ${file.seq}`);
          continue;
        }
        const waiting = Object.entries(file.deps).some(([d, n]) => d !== self && !isRemoved(d) && (store.get('sync_devices', d)?.applied_seq ?? 0) < n);
        if (waiting) continue;
        await applyFile(self, file.ops, { [device]: next }, { device, seq: next });
        progress = true;
      }
    }
  }

  /**
   * Removes own change files every device in the list has read and a snapshot covers, and old snapshots; the
   * audio blobs of memos deleted everywhere; tombstones after 90 days.
   */
  async function collectGarbage(folder: Folder, self: string, syncClock: DeviceSyncClock): Promise<void> {
    const others = store.list('sync_devices').filter((d) => !d.is_self && !d.removed_at);
    const cursorsOf = (d: SyncDevice) => (d.cursors as Record<string, number> | null) ?? {};
    const upTo = Math.min(syncClock.snapshotSeq, ...others.map((d) => cursorsOf(d)[self] ?? 0));
    const listing = await folder.list(self, changeSeqOf, (n) => snapshotSeqOf(n) !== null, isConflictCopy);
    for (const seq of listing.changes.filter((n) => n <= upTo)) await folder.remove(folder.changePath(self, changeFileName(seq)));
    for (const name of listing.snapshots.slice(0, -1)) await folder.remove(join(folder.deviceDir(self), name));

    // A deleted memo's audio goes once every device has read its deletion, and read here everything it wrote
    // before (so no memo of its own made meanwhile with the same audio is missed); never while a memo uses it.
    const tombstones = store.query('sync_rows', { deleted_at: { gte: new Date(0).toISOString() } }).filter((row) => row.audio && row.id.startsWith('memos:'));
    const cutoff = new Date(clock().getTime() - TOMBSTONE_DAYS * DAY_MS).toISOString();
    const caughtUp = others.every((d) => d.applied_seq >= d.seen_seq);
    const readByAll = (row: SyncRow) => {
      const where = row.deleted_in as { device: string; seq: number } | null;
      return caughtUp && where !== null && others.every((d) => d.id === where.device || (cursorsOf(d)[where.device] ?? 0) >= where.seq);
    };
    const done = tombstones.filter((row) => readByAll(row) || row.deleted_at! < cutoff);
    if (done.length > 0) {
      const used = liveAudio();
      for (const row of done) {
        const { sha256 } = row.audio as AudioRef;
        if (!used.has(sha256)) await folder.remove(folder.blobPath(self, sha256));
      }
      await store.transaction((tx) => done.forEach((row) => tx.update('sync_rows', row.id, { audio: null })), { origin: ORIGIN });
    }

    const expired = store.query('sync_rows', { deleted_at: { lt: cutoff } });
    if (expired.length > 0) await store.transaction((tx) => expired.forEach((row) => tx.delete('sync_rows', row.id)), { origin: ORIGIN });
  }

  /** The audio every memo not deleted refers to (by hash). */
  function liveAudio(): Set<string> {
    const used = new Set<string>();
    for (const row of store.list('sync_rows')) if (row.audio && !row.deleted_at) used.add((row.audio as AudioRef).sha256);
    return used;
  }

  /**
   * Removes a computer that will never come back from the list: its files are no longer waited for (neither those
   * not yet read, nor other files that depend on them), and this computer's old change files and deleted memos'
   * audio go without waiting for it to read them. What it wrote and was read stays. If it writes into the folder
   * again, it is back in the list and catches up from snapshots.
   */
  async function removeDevice(id: string): Promise<DeviceSyncStatus> {
    const device = store.get('sync_devices', id);
    if (!device || device.removed_at) throw new ServiceError('NOT_FOUND', 'That computer is not in the list.');
    if (device.is_self) throw new ServiceError('VALIDATION_ERROR', 'This computer cannot remove itself: turn sync off instead.');
    await store.transaction((tx) => tx.update('sync_devices', id, { removed_at: clock().toISOString() }), { origin: ORIGIN });
    return run();
  }

  async function writeSnapshot(folder: Folder, self: string): Promise<void> {
    const built = await store.transaction(
      (tx) => {
        takeLocalChanges(tx, stamper(self));
        const current = readClock(tx)!;
        if (tx.count('sync_outbox') > 0) return null; // the snapshot must not get ahead of the files written
        const cursors = Object.fromEntries(tx.list('sync_devices').filter((d) => !d.is_self).map((d) => [d.id, d.applied_seq]));
        return { seq: current.writtenSeq, cursors, ops: snapshotOps(tx, profileUserId(tx)!) };
      },
      { origin: ORIGIN },
    );
    if (!built) return;
    const file: SnapshotFile = { format: FORMAT, version: FORMAT_VERSION, kind: 'snapshot', device: self, ...built, written_at: clock().toISOString() };
    await folder.write(join(folder.deviceDir(self), snapshotFileName(built.seq)), folder.deviceDir(self), encodeFile(file, sha256Hex));
    await store.transaction((tx) => upsert(tx, 'settings', CLOCK_KEY, { value: { ...readClock(tx)!, snapshotSeq: built.seq } }), { origin: ORIGIN });
  }

  async function round(): Promise<DeviceSyncStatus> {
    const s = settings();
    if (!s?.folder) return emit();
    const folder = createFolder(s.folder, s.deviceId);
    try {
      // Taken first, so what waits for an unplugged folder shows as changes to write.
      await store.transaction((tx) => takeLocalChanges(tx, stamper(s.deviceId)), { origin: ORIGIN });
      await folder.prepare();
      if (firstRound) {
        await folder.removeTemporaries();
        for (const meta of store.list('sync_rows')) if (meta.audio && meta.id.startsWith('memos:')) pendingAudio.add(meta.id.slice('memos:'.length));
      }
      // Pointed at another folder (or the same one moved) after writing elsewhere: a snapshot restarts it here.
      const moved = readClock(store)!.writtenSeq > 0 && !(await folder.exists(folder.deviceFile(s.deviceId)));
      await flushOutbox(folder, s.deviceId);
      await readOthers(folder, s.deviceId);
      await flushOutbox(folder, s.deviceId);
      const syncClock = readClock(store)!;
      if (moved || syncClock.writtenSeq - syncClock.snapshotSeq >= snapshotEvery) await writeSnapshot(folder, s.deviceId);
      await writeDeviceFile(folder, s.deviceId, s.name);
      if (s.audio === 'all') for (const id of [...pendingAudio]) if (await fetchAudio(folder, id)) pendingAudio.delete(id);
      await collectGarbage(folder, s.deviceId, readClock(store)!);
      problem = null;
      firstRound = false;
      lastRound = clock().toISOString();
    } catch (error) {
      if (error instanceof FolderError) problem = { state: error.problem, message: error.message };
      else problem = { state: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    return emit();
  }

  /** One round at a time; a round asked for while one runs runs once more after it. */
  function run(): Promise<DeviceSyncStatus> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result: DeviceSyncStatus;
      do {
        again = false;
        result = await round();
      } while (again);
      running = null;
      return result;
    })();
    return running;
  }

  async function configure(changes: { folder?: string | null; name?: string; audio?: DeviceSyncSettings['audio'] }): Promise<DeviceSyncStatus> {
    if (changes.folder && !profileUserId(store)) throw new ServiceError('NO_PROFILE', 'Create your profile first.');
    await running;
    await store.transaction(
      (tx) => {
        const current = readSettings(tx) ?? { deviceId: randomUUID(), name: 'This computer', folder: null, audio: 'when-needed' as const };
        const next: DeviceSyncSettings = {
          ...current,
          ...(changes.folder !== undefined && { folder: changes.folder }),
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.audio !== undefined && { audio: changes.audio }),
        };
        upsert(tx, 'settings', SETTINGS_KEY, { value: next });
        upsert(tx, 'sync_devices', next.deviceId, { name: next.name, is_self: true });
        if (next.folder && !readClock(tx)) {
          // First time on: everything this profile holds goes out as this device's first changes.
          const fresh: DeviceSyncClock = { hlc: null, feedSeq: 0, nextSeq: 1, writtenSeq: 0, snapshotSeq: 0 };
          upsert(tx, 'settings', CLOCK_KEY, { value: fresh });
          takeEverything(tx, stamper(next.deviceId), fresh);
        }
      },
      { origin: ORIGIN },
    );
    firstRound = true;
    problem = null;
    return run();
  }

  /** Fetches a memo's audio from the folder when it is played (the "when needed" setting). */
  /**
   * Brings a memo's audio from the folder into the profile: false while its blob is not there (yet); a FolderError
   * when the folder itself cannot be read (unplugged, unmounted, no permission), which is not "not arrived".
   */
  async function ensureAudio(memoId: string): Promise<boolean> {
    const s = settings();
    if (!s?.folder) return false;
    return fetchAudio(createFolder(s.folder, s.deviceId), memoId).catch((error: unknown) => {
      if (error instanceof FolderError) throw error;
      return false;
    });
  }

  // Between the shared scheduler's runs (periodic, "Sync now", reconnect: see source.ts), a round follows soon after
  // a local change or a change in the folder (file watching; where it cannot watch, the scheduler's runs find it).
  let watcher: FSWatcher | null = null;
  let watched: string | null = null;
  let soon: NodeJS.Timeout | null = null;
  let stopLocal: (() => void) | null = null;
  const schedule = (delay = 300) => {
    if (soon || !stopLocal) return;
    soon = setTimeout(() => {
      soon = null;
      void run();
    }, delay);
  };

  /** Watches the chosen folder (again after it changed or came back); nothing before `start`. */
  function watchFolder(): void {
    const folder = settings()?.folder ?? null;
    if (!stopLocal || (watcher && watched === folder)) return;
    watcher?.close();
    watcher = null;
    watched = folder;
    if (!folder) return;
    try {
      watcher = watch(createFolder(folder, settings()!.deviceId).root, { recursive: true }, () => schedule());
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // not there yet, or no recursive watching here: the next run tries again
    }
  }

  return {
    status,
    run,
    configure,
    ensureAudio,
    remove: removeDevice,
    /** Says whenever a round ended, with the state after it. */
    onStatus(listener: (status: DeviceSyncStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Starts the rounds that follow local changes and the folder's; the periodic ones are the shared scheduler's. */
    start(): void {
      stopLocal = store.onChange((entries) => {
        if (entries.some((e) => e.origin !== ORIGIN && e.table !== 'settings')) schedule();
      });
      watchFolder();
      listeners.add(watchFolder);
    },
    async stop(): Promise<void> {
      stopLocal?.();
      stopLocal = null;
      listeners.delete(watchFolder);
      if (soon) clearTimeout(soon);
      soon = null;
      watcher?.close();
      watcher = null;
      await running;
    },
  };
}

export type DeviceSync = ReturnType<typeof createDeviceSync>;
