// The offline engine's worker thread: runs Flite (compiled to WASI) on one chunk of text at a time and answers the
// WAV bytes. Plain JavaScript on purpose: the same file loads under tsx/vitest (from the source tree) and in the
// electron-vite build (emitted as out/main/offline-worker.js), with nothing to transpile.
//
// Flite runs against a small in-memory WASI preview1 host written here, not node:wasi: node:wasi calls its native
// functions through V8 fast API calls, and when uvwasi's allocation inside one (path_open, fd_write) reports external
// memory and V8 collects garbage right there, the whole process dies with SIGSEGV (nodejs/node#46777, #53087;
// reproduced on Node 20.20 and 22.23 with a few thousand characters of text). A crash in a worker thread takes the
// Electron main process with it, so the host is ours: thirteen functions, and the input text and the output WAV
// never touch the disk.
//
// Three uses. workerData { compile: path }: compiles flite.wasm, posts { module } back, and ends (done once per
// engine). workerData { module: WebAssembly.Module (that compiled module, shared by every worker), nice: number (this
// thread's scheduling priority where the OS lets one thread have its own; 0 leaves it) }: a synthesis worker.
// In: { id: number, text: string, voice: string }. workerData { join: true, nice: number }: the joiner, which makes
// one WAV of a memo's chunks so that the main thread never copies megabytes. In: { id: number, header: Uint8Array,
// parts: Uint8Array[] } (the parts' buffers transferred). Both answer { id, ok: true, wav: Uint8Array } with its
// buffer transferred, or { id, ok: false, message: string }.

import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {import('./offline-wasm').WasmApi} WasmApi */
/** @typedef {import('./offline-wasm').WasmModule} WasmModule */
/** @typedef {import('./offline-wasm').WasmMemory} WasmMemory */
/** @typedef {import('./offline-wasm').WasmInstance} WasmInstance */

// tsconfig.node.json has no DOM library, where TypeScript declares WebAssembly: offline-wasm.ts types the part we use.
const wasm = /** @type {{ WebAssembly: WasmApi }} */ (/** @type {unknown} */ (globalThis)).WebAssembly;

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_EXIST = 20;
const ERRNO_INVAL = 28;
const ERRNO_ISDIR = 31;
const ERRNO_NOENT = 44;
const ERRNO_NOTDIR = 54;

const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;

const OFLAGS_CREAT = 1;
const OFLAGS_DIRECTORY = 2;
const OFLAGS_EXCL = 4;
const OFLAGS_TRUNC = 8;
const FDFLAGS_APPEND = 1;

/** All rights: the guest asks for what it needs and we grant everything on our in-memory files. */
const ALL_RIGHTS = 0x1fffffffn;
/** The one preopened directory; the guest sees it as `/`. */
const ROOT_FD = 3;
/** How much of the guest's stderr is kept for an error message. */
const STDERR_LIMIT = 4096;

/** Thrown by proc_exit to unwind out of the guest. */
class ProcExit {
  /** @param {number} code */
  constructor(code) {
    this.code = code;
  }
}

/** A file that lives in memory: a growable byte buffer. */
class MemFile {
  /** @param {Uint8Array} [data] */
  constructor(data) {
    this.bytes = data ?? new Uint8Array(64 * 1024);
    this.size = data ? data.length : 0;
  }

  /** @param {number} capacity */
  reserve(capacity) {
    if (capacity <= this.bytes.length) return;
    let next = Math.max(this.bytes.length * 2, 64 * 1024);
    while (next < capacity) next *= 2;
    const grown = new Uint8Array(next);
    grown.set(this.bytes.subarray(0, this.size));
    this.bytes = grown;
  }
}

/**
 * @typedef {{ kind: 'stdin' | 'stdout' | 'stderr' } | { kind: 'dir' } | { kind: 'file', file: MemFile, pos: number, append: boolean }} Descriptor
 */

/** A minimal WASI preview1 host over an in-memory root directory (`/`), with argv and captured stderr. */
class MemoryWasi {
  /**
   * @param {string[]} args
   * @param {Map<string, MemFile>} files the root directory's files, by name
   */
  constructor(args, files) {
    this.args = args.map((arg) => new TextEncoder().encode(`${arg}\0`));
    this.files = files;
    /** @type {Map<number, Descriptor>} */
    this.fds = new Map([
      [0, { kind: 'stdin' }],
      [1, { kind: 'stdout' }],
      [2, { kind: 'stderr' }],
      [ROOT_FD, { kind: 'dir' }],
    ]);
    this.nextFd = ROOT_FD + 1;
    this.stderr = '';
    /** @type {WasmMemory | undefined} */
    this.memory = undefined;
  }

  view() {
    if (!this.memory) throw new Error('WASI memory is not bound');
    return new DataView(this.memory.buffer);
  }

  /**
   * @param {number} ptr
   * @param {number} len
   */
  bytes(ptr, len) {
    if (!this.memory) throw new Error('WASI memory is not bound');
    return new Uint8Array(this.memory.buffer, ptr, len);
  }

  /**
   * The iovec array at `ptr`: `len` pairs of (buf: u32, buf_len: u32).
   * @param {number} ptr
   * @param {number} len
   */
  iovecs(ptr, len) {
    const view = this.view();
    /** @type {Uint8Array[]} */
    const out = [];
    for (let i = 0; i < len; i++) {
      out.push(this.bytes(view.getUint32(ptr + i * 8, true), view.getUint32(ptr + i * 8 + 4, true)));
    }
    return out;
  }

  /** @param {string} text */
  captureStderr(text) {
    if (this.stderr.length < STDERR_LIMIT) this.stderr = (this.stderr + text).slice(0, STDERR_LIMIT);
  }

  /** The import object for `WebAssembly.instantiate`. */
  imports() {
    /** @type {Record<string, (...args: any[]) => number | void>} */
    const wasi = {
      args_sizes_get: (argcPtr, bufSizePtr) => {
        const view = this.view();
        view.setUint32(argcPtr, this.args.length, true);
        view.setUint32(bufSizePtr, this.args.reduce((sum, arg) => sum + arg.length, 0), true);
        return ERRNO_SUCCESS;
      },
      args_get: (argvPtr, bufPtr) => {
        const view = this.view();
        let at = bufPtr;
        this.args.forEach((arg, i) => {
          view.setUint32(argvPtr + i * 4, at, true);
          this.bytes(at, arg.length).set(arg);
          at += arg.length;
        });
        return ERRNO_SUCCESS;
      },
      clock_time_get: (clockId, _precision, timePtr) => {
        // 0 = realtime; the others are monotonic or CPU clocks, which flite uses only for its benchmark mode.
        const ns = clockId === 0 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
        this.view().setBigUint64(timePtr, ns, true);
        return ERRNO_SUCCESS;
      },
      fd_close: (fd) => {
        if (fd <= ROOT_FD || !this.fds.has(fd)) return ERRNO_BADF;
        this.fds.delete(fd);
        return ERRNO_SUCCESS;
      },
      fd_fdstat_get: (fd, statPtr) => {
        const entry = this.fds.get(fd);
        if (!entry) return ERRNO_BADF;
        const view = this.view();
        const type =
          entry.kind === 'dir'
            ? FILETYPE_DIRECTORY
            : entry.kind === 'file'
              ? FILETYPE_REGULAR_FILE
              : FILETYPE_CHARACTER_DEVICE;
        view.setUint8(statPtr, type);
        view.setUint16(statPtr + 2, entry.kind === 'file' && entry.append ? FDFLAGS_APPEND : 0, true);
        view.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
        view.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
        return ERRNO_SUCCESS;
      },
      fd_fdstat_set_flags: (fd) => (this.fds.has(fd) ? ERRNO_SUCCESS : ERRNO_BADF),
      fd_prestat_get: (fd, prestatPtr) => {
        if (fd !== ROOT_FD) return ERRNO_BADF;
        const view = this.view();
        view.setUint8(prestatPtr, 0); // preopentype dir
        view.setUint32(prestatPtr + 4, 1, true); // the name "/"
        return ERRNO_SUCCESS;
      },
      fd_prestat_dir_name: (fd, pathPtr, pathLen) => {
        if (fd !== ROOT_FD) return ERRNO_BADF;
        if (pathLen < 1) return ERRNO_INVAL;
        this.bytes(pathPtr, 1)[0] = 0x2f; // '/'
        return ERRNO_SUCCESS;
      },
      fd_read: (fd, iovsPtr, iovsLen, nreadPtr) => {
        const entry = this.fds.get(fd);
        if (!entry) return ERRNO_BADF;
        let read = 0;
        if (entry.kind === 'file') {
          for (const iov of this.iovecs(iovsPtr, iovsLen)) {
            const n = Math.max(0, Math.min(iov.length, entry.file.size - entry.pos));
            iov.set(entry.file.bytes.subarray(entry.pos, entry.pos + n));
            entry.pos += n;
            read += n;
            if (n < iov.length) break;
          }
        } else if (entry.kind !== 'stdin') {
          return ERRNO_BADF;
        }
        this.view().setUint32(nreadPtr, read, true);
        return ERRNO_SUCCESS;
      },
      fd_seek: (fd, offset, whence, newOffsetPtr) => {
        const entry = this.fds.get(fd);
        if (!entry) return ERRNO_BADF;
        if (entry.kind !== 'file') return 70; // ESPIPE
        const base = whence === 0 ? 0 : whence === 1 ? entry.pos : whence === 2 ? entry.file.size : NaN;
        const next = base + Number(offset);
        if (!Number.isFinite(next) || next < 0) return ERRNO_INVAL;
        entry.pos = next;
        this.view().setBigUint64(newOffsetPtr, BigInt(next), true);
        return ERRNO_SUCCESS;
      },
      fd_write: (fd, iovsPtr, iovsLen, nwrittenPtr) => {
        const entry = this.fds.get(fd);
        if (!entry) return ERRNO_BADF;
        let written = 0;
        for (const iov of this.iovecs(iovsPtr, iovsLen)) {
          if (entry.kind === 'file') {
            if (entry.append) entry.pos = entry.file.size;
            const end = entry.pos + iov.length;
            entry.file.reserve(end);
            entry.file.bytes.set(iov, entry.pos);
            entry.pos = end;
            entry.file.size = Math.max(entry.file.size, end);
          } else if (entry.kind === 'stderr') {
            this.captureStderr(new TextDecoder().decode(iov));
          } else if (entry.kind !== 'stdout') {
            return ERRNO_BADF; // stdout is discarded: flite prints nothing we need there
          }
          written += iov.length;
        }
        this.view().setUint32(nwrittenPtr, written, true);
        return ERRNO_SUCCESS;
      },
      path_open: (dirFd, _dirflags, pathPtr, pathLen, oflags, _rightsBase, _rightsInheriting, fdflags, fdPtr) => {
        if (this.fds.get(dirFd)?.kind !== 'dir') return ERRNO_NOTDIR;
        const name = new TextDecoder().decode(this.bytes(pathPtr, pathLen)).replace(/^(\.\/)+/, '');
        if (name === '' || name === '.') return ERRNO_ISDIR;
        if (oflags & OFLAGS_DIRECTORY) return ERRNO_NOTDIR;
        let file = this.files.get(name);
        if (file && oflags & OFLAGS_CREAT && oflags & OFLAGS_EXCL) return ERRNO_EXIST;
        if (!file) {
          if (!(oflags & OFLAGS_CREAT)) return ERRNO_NOENT;
          file = new MemFile();
          this.files.set(name, file);
        }
        if (oflags & OFLAGS_TRUNC) file.size = 0;
        const fd = this.nextFd++;
        this.fds.set(fd, { kind: 'file', file, pos: 0, append: (fdflags & FDFLAGS_APPEND) !== 0 });
        this.view().setUint32(fdPtr, fd, true);
        return ERRNO_SUCCESS;
      },
      proc_exit: (code) => {
        throw new ProcExit(code);
      },
    };
    return { wasi_snapshot_preview1: wasi };
  }

  /**
   * Runs the command to its end; answers its exit code.
   * @param {WasmInstance} instance
   */
  start(instance) {
    const memory = instance.exports.memory;
    const start = instance.exports._start;
    if (!(memory instanceof wasm.Memory) || typeof start !== 'function') {
      throw new Error('The Flite module exports no memory or _start');
    }
    this.memory = memory;
    try {
      start();
      return 0;
    } catch (error) {
      if (error instanceof ProcExit) return error.code;
      throw error;
    }
  }
}

/**
 * Synthesizes `text` with Flite's voice `voice`; answers the WAV file Flite wrote.
 * @param {WasmModule} module
 * @param {string} text
 * @param {string} voice
 */
async function synthesize(module, text, voice) {
  const files = new Map([['in.txt', new MemFile(new TextEncoder().encode(text))]]);
  const host = new MemoryWasi(['flite', '-voice', voice, '-f', '/in.txt', '-o', '/out.wav'], files);
  const instance = await wasm.instantiate(module, host.imports());
  const code = host.start(instance);
  const out = files.get('out.wav');
  if (code !== 0 || !out || out.size < 44) {
    const detail = host.stderr.trim();
    throw new Error(`Flite exited with code ${code}${out ? '' : ' and wrote no audio'}${detail ? `: ${detail}` : ''}`);
  }
  return out.bytes.slice(0, out.size); // an exact-size copy: the growable buffer may be twice as large
}

/**
 * Synthesis is background work: on Linux, where a thread has its own nice value, this worker lowers its own priority
 * so that the main thread (the app's IPC, the window's requests) always gets a core at once, even when the workers
 * keep every core busy. Elsewhere the OS schedules the process as a whole and this does nothing.
 * @param {number} nice
 */
function lowerPriority(nice) {
  if (process.platform !== 'linux' || !(nice > 0)) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // No /proc, or not allowed: run at the process's priority.
  }
}

const port = parentPort;
if (!port) throw new Error('offline-worker.js runs only as a worker thread');
const data = /** @type {{ compile: string } | { module: WasmModule, nice?: number } | { join: true, nice?: number }} */ (
  workerData
);

/**
 * Answers a task: its WAV (the buffer moves to the main thread) or why there is none.
 * @param {number} id
 * @param {() => Promise<Uint8Array> | Uint8Array} work
 */
async function answer(id, work) {
  try {
    const wav = await work();
    port?.postMessage({ id, ok: true, wav }, [/** @type {ArrayBuffer} */ (wav.buffer)]);
  } catch (error) {
    port?.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * The header, then each part's bytes, in one new buffer.
 * @param {Uint8Array} header
 * @param {Uint8Array[]} parts
 */
function join(header, parts) {
  const wav = new Uint8Array(parts.reduce((sum, part) => sum + part.length, header.length));
  wav.set(header);
  let at = header.length;
  for (const part of parts) {
    wav.set(part, at);
    at += part.length;
  }
  return wav;
}

if ('compile' in data) {
  // Compiling the 21 MB module holds the calling thread for 15-20 ms, so the main thread has it done here: read,
  // compile, hand the module back (a compiled module is shared between threads, not copied) and exit.
  const module = await wasm.compile(await readFile(data.compile));
  port.postMessage({ module });
} else if ('join' in data) {
  lowerPriority(data.nice ?? 0);
  port.on('message', (/** @type {{ id: number, header: Uint8Array, parts: Uint8Array[] }} */ job) => {
    void answer(job.id, () => join(job.header, job.parts));
  });
} else {
  const { module, nice } = data;
  lowerPriority(nice ?? 0);
  port.on('message', (/** @type {{ id: number, text: string, voice: string }} */ job) => {
    void answer(job.id, () => synthesize(module, job.text, job.voice));
  });
}
