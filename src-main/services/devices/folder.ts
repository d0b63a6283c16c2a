/**
 * The synced folder on disk. Files are written to a temporary name, flushed, renamed into place and the directory
 * flushed, so a carrier (or a crash) never sees a file half-written under its final name. Errors of the folder
 * itself become one of the states a user is shown: unplugged (gone), read-only, full.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOBS_DIR, CHANGES_DIR, DEVICE_FILE, DEVICES_DIR, ROOT_DIR } from '../../../src-shared/sync/format';

export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

export type FolderProblem = 'unavailable' | 'read-only' | 'full';

/** An error of the folder (not of one file in it), with the state it puts sync in. */
export class FolderError extends Error {
  constructor(
    readonly problem: FolderProblem,
    message: string,
  ) {
    super(message);
  }
}

const PROBLEMS: Readonly<Record<string, FolderProblem>> = {
  ENOENT: 'unavailable',
  ENOTDIR: 'unavailable',
  ENODEV: 'unavailable',
  ENXIO: 'unavailable',
  EIO: 'unavailable',
  ESTALE: 'unavailable',
  EACCES: 'read-only',
  EPERM: 'read-only',
  EROFS: 'read-only',
  ENOSPC: 'full',
  EDQUOT: 'full',
};

const MESSAGES: Readonly<Record<FolderProblem, string>> = {
  unavailable: 'The sync folder is not available (unplugged, unmounted or removed).',
  'read-only': 'The sync folder cannot be written to (read-only or no permission).',
  full: 'The disk holding the sync folder is full.',
};

/** The folder state an error means, or the error itself when it is not the folder's. */
export function folderError(error: unknown): FolderError | unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code ? PROBLEMS[code] : undefined;
  return problem ? new FolderError(problem, MESSAGES[problem]) : error;
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

export interface DeviceDirEntry {
  changes: number[];
  snapshots: string[];
  conflicts: string[];
}

export function createFolder(chosen: string, selfId: string) {
  const root = join(chosen, ROOT_DIR);
  const deviceDir = (id: string) => join(root, DEVICES_DIR, id);
  const own = deviceDir(selfId);

  async function writeAtomic(path: string, dir: string, data: string | Uint8Array): Promise<void> {
    // The temporary name starts with a dot: readers (and most carriers' ignore rules) pass over it.
    const temporary = join(dir, `.tmp-${randomUUID()}`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  return {
    root,
    own,
    deviceDir,

    /**
     * Checks the chosen folder is there (never creating it: an unplugged drive's empty mount point must not
     * receive files) and makes this device's directories inside it.
     */
    async prepare(): Promise<void> {
      try {
        const info = await stat(chosen);
        if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        await mkdir(join(own, CHANGES_DIR), { recursive: true });
        await mkdir(join(own, BLOBS_DIR), { recursive: true });
      } catch (error) {
        throw folderError(error);
      }
    },

    /** The device directories in the folder (this one's included). */
    async devices(): Promise<string[]> {
      try {
        return await readdir(join(root, DEVICES_DIR));
      } catch (error) {
        throw folderError(error);
      }
    },

    /** The names in a device's directory, sorted by kind; conflict copies kept apart. */
    async list(id: string, isChange: (name: string) => number | null, isSnapshot: (name: string) => boolean, isConflict: (name: string) => boolean): Promise<DeviceDirEntry> {
      const [top, changes] = await Promise.all([readdir(deviceDir(id)).catch(() => []), readdir(join(deviceDir(id), CHANGES_DIR)).catch(() => [])]);
      const conflicts = [...top, ...changes].filter(isConflict);
      return {
        changes: changes.map(isChange).filter((n): n is number => n !== null).sort((a, b) => a - b),
        snapshots: top.filter(isSnapshot).sort(),
        conflicts,
      };
    },

    /** A file's text, or null when it is not there (yet, or any more). */
    async read(path: string): Promise<string | null> {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if (errno(error) === 'ENOENT') return null;
        throw folderError(error);
      }
    },

    async write(path: string, dir: string, data: string | Uint8Array): Promise<void> {
      try {
        await writeAtomic(path, dir, data);
      } catch (error) {
        throw folderError(error);
      }
    },

    async exists(path: string): Promise<boolean> {
      return stat(path).then(
        () => true,
        () => false,
      );
    },

    async remove(path: string): Promise<void> {
      await rm(path, { force: true });
    },

    /** Removes temporary files a crash left in this device's directories. */
    async removeTemporaries(): Promise<void> {
      for (const dir of [own, join(own, CHANGES_DIR), join(own, BLOBS_DIR)]) {
        const names = await readdir(dir).catch(() => [] as string[]);
        await Promise.all(names.filter((n) => n.startsWith('.tmp-')).map((n) => rm(join(dir, n), { force: true })));
      }
    },

    deviceFile: (id: string) => join(deviceDir(id), DEVICE_FILE),
    changePath: (id: string, name: string) => join(deviceDir(id), CHANGES_DIR, name),
    changesDir: (id: string) => join(deviceDir(id), CHANGES_DIR),
    blobPath: (id: string, sha: string) => join(deviceDir(id), BLOBS_DIR, sha),
    blobsDir: (id: string) => join(deviceDir(id), BLOBS_DIR),
  };
}

export type Folder = ReturnType<typeof createFolder>;

/** The SHA-256 of a file's bytes, read as a stream (audio can be large). */
export function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path)
      .on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes }));
  });
}
