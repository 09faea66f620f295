/**
 * A fresh QuickJS WebAssembly instance per run, with its linear memory capped.
 *
 * Why not `runtime.setMemoryLimit`: in the published WebAssembly builds
 * QuickJS cannot measure its allocations (`malloc_usable_size` is 0 under
 * Emscripten), so that limit bounds single allocations, not the total —
 * measured here: under a "64 MiB" limit, `new Array(1e6).fill(1)` in a loop
 * ran 9 s and grew the heap to WebAssembly's 2 GiB ceiling before failing
 * (quickjs-emscripten issues #255, #271). A
 * `WebAssembly.Memory` with a `maximum` is exact: past it, `malloc` fails and
 * the script gets QuickJS's `out of memory` within ~200 ms.
 *
 * The cap is per instance, so each run gets its own (~2–10 ms to instantiate;
 * the compiled module is shared, and a spare instance is prepared while the
 * worker would otherwise idle). It also means nothing a run leaves behind,
 * leaked handles or a heap corrupted by an abort, outlives it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import releaseSyncVariant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { MIN_MEMORY_LIMIT_MB } from './sandbox.js';

/** The few WebAssembly APIs used here (TypeScript's Node `lib` declares none). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<unknown>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
// The package's typings are CommonJS-shaped, so TypeScript (NodeNext) sees the
// module object where Node's ESM loader hands over the variant itself.
const releaseSync = releaseSyncVariant as unknown as QuickJSSyncVariant;

const PAGES_PER_MB = 16; // 64 KiB pages
const MIN_PAGES = MIN_MEMORY_LIMIT_MB * PAGES_PER_MB;

export interface QuickJSInstance {
  readonly quickjs: QuickJSWASMModule;
  readonly memoryLimitMb: number;
  /** Set once the script asked for more linear memory than its limit allows. */
  readonly memoryExhausted: boolean;
}

export interface InstanceFactory {
  /** A never-used instance whose memory is capped at `memoryLimitMb`. */
  take(memoryLimitMb: number): Promise<QuickJSInstance>;
  /** Prepares the spare instance (for the default limit) if there is none. */
  refill(): void;
}

export async function createInstanceFactory(options: { spareMemoryLimitMb: number }): Promise<InstanceFactory> {
  const wasmPath = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
  const wasmModule = await wasm.compile(await readFile(wasmPath));
  const make = (memoryLimitMb: number) => newInstance(wasmModule, memoryLimitMb);
  let spare: Promise<QuickJSInstance> | undefined;

  const factory: InstanceFactory = {
    take(memoryLimitMb) {
      if (spare !== undefined && memoryLimitMb === options.spareMemoryLimitMb) {
        const ready = spare;
        spare = undefined;
        return ready;
      }
      return make(memoryLimitMb);
    },
    refill() {
      if (spare !== undefined) return;
      const next = make(options.spareMemoryLimitMb);
      spare = next;
      // A failed spare is dropped; `take` will then make (and report) its own.
      next.catch(() => {
        if (spare === next) spare = undefined;
      });
    },
  };
  factory.refill();
  return factory;
}

async function newInstance(wasmModule: unknown, memoryLimitMb: number): Promise<QuickJSInstance> {
  const memory = new wasm.Memory({ initial: MIN_PAGES, maximum: Math.max(MIN_PAGES, memoryLimitMb * PAGES_PER_MB) });
  let exhausted = false;
  // Emscripten's heap resize calls `memory.grow` and treats a throw as malloc
  // failure; noting it here tells a memory-limit stop from a script's own error.
  const grow = memory.grow.bind(memory);
  memory.grow = (pages) => {
    try {
      return grow(pages);
    } catch (error) {
      exhausted = true;
      throw error;
    }
  };
  const variant = newVariant(releaseSync, {
    wasmModule: wasmModule as never,
    wasmMemory: memory as never,
    // Emscripten prints aborts (e.g. disposing a runtime a script left mid-allocation) to stderr; the run reports them.
    emscriptenModule: { printErr: () => {}, print: () => {} } as never,
  });
  const quickjs = await newQuickJSWASMModuleFromVariant(variant);
  return {
    quickjs,
    memoryLimitMb,
    get memoryExhausted() {
      return exhausted;
    },
  };
}
