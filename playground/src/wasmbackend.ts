// The in-browser backend: vfscope.wasm (the GOOS=js build) through the
// npm library @vfscope/web, booted with the lock validator and the trace
// instrumentation on, so the lock views have lock.* and method.* events
// to show.

import { createVFS, wasiImports, type VFS } from '@vfscope/web';
import type { Backend, RunResult } from './backend';
import type { Snapshot, TraceEvent } from './schema';

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly writable = true;
  readonly name = 'in-browser VFS';
  private sh: ReturnType<VFS['shell']>;

  private constructor(readonly vfs: VFS) {
    this.sh = vfs.shell();
  }

  /** Boots a VFS in the vfscope.wasm that the library ships (bundled beside the app). */
  static async boot(): Promise<WasmBackend> {
    const vfs = await createVFS({ lockdep: true, trace: true });
    return new WasmBackend(vfs);
  }

  get prompt(): string { return this.sh.prompt; }

  async run(line: string): Promise<RunResult> {
    const r = this.sh.run(line);
    return { output: r.stdout + r.stderr, status: r.status };
  }

  async snapshot(): Promise<Snapshot> {
    return this.vfs.snapshot();
  }

  subscribe(onEvents: (events: TraceEvent[], lost: boolean) => void): () => void {
    return this.vfs.subscribe((evs) => onEvents(evs, evs.some((e) => e.kind === 'lost')));
  }

  async flush(): Promise<void> {
    this.vfs.flushEvents();
  }

  async runWasm(name: string, bytes: Uint8Array, args: string[]): Promise<RunResult> {
    let out = '';
    const dec = new TextDecoder();
    const wasi = wasiImports(this.vfs, {
      args: [name, ...args],
      preopens: ['/'],
      stdout: (b: Uint8Array) => { out += dec.decode(b, { stream: true }); },
      stderr: (b: Uint8Array) => { out += dec.decode(b, { stream: true }); },
    });
    try {
      const mod = await WebAssembly.compile(bytes as BufferSource);
      const inst = await WebAssembly.instantiate(mod, wasi.imports as unknown as WebAssembly.Imports);
      const status = wasi.start(inst);
      return { output: out, status };
    } finally {
      wasi.close();
    }
  }
}
