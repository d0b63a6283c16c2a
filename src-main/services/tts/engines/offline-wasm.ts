/**
 * The slice of the WebAssembly JavaScript API the offline engine uses, typed here: TypeScript declares that API in
 * its DOM library, which tsconfig.node.json (plain Node code) does not load. Types only, plus the global itself.
 */

/** A compiled module: opaque; it can be instantiated and posted to a worker thread. */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, (...args: never[]) => unknown>>;

export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  Memory: abstract new (...args: never[]) => WasmMemory;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
