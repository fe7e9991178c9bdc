// The in-browser backend: vfscope.wasm (the GOOS=js build) through the
// npm library @vfscope/web, with the lock validator on so the lock views
// have something to show.

import { createVFS, wasiImports } from '@vfscope/web';
import type { Backend, RunResult } from './backend';
import type { Snapshot, TraceEvent } from './schema';
import { SCHEMA } from './schema';

type WebVFS = Awaited<ReturnType<typeof createVFS>>;

/** The trace side of the library: subscribe/snapshot/flushEvents. */
interface Traced {
  subscribe(onEvents: (events: TraceEvent[]) => void): () => void;
  snapshot(): Snapshot;
  flushEvents?(): void;
}

function traced(vfs: WebVFS): Traced | undefined {
  const t = vfs as unknown as Partial<Traced>;
  return typeof t.subscribe === 'function' && typeof t.snapshot === 'function' ? (t as Traced) : undefined;
}

/** What the views get from a build without the trace stream: nothing, said plainly. */
function emptySnapshot(): Snapshot {
  return {
    schema: SCHEMA, seq: 0, time: 0, dentries: [], hash: { buckets: 0, chains: [] }, lru: [], inodes: [],
    pages: [], tasks: [], mounts: [], reports: [],
    counters: { nr_dentry: 0, nr_unused: 0, nr_negative: 0, nr_inodes: 0, nr_free_inodes: 0 },
  };
}

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly writable = true;
  readonly name: string;
  private sh: ReturnType<WebVFS['shell']>;
  private tr?: Traced;

  private constructor(readonly vfs: WebVFS) {
    this.sh = vfs.shell();
    this.tr = traced(vfs);
    this.name = this.tr ? 'in-browser VFS' : 'in-browser VFS (this vfscope.wasm has no trace stream: views stay empty)';
  }

  /** Boots a VFS in the vfscope.wasm that the library ships (bundled beside the app). */
  static async boot(): Promise<WasmBackend> {
    const vfs = await createVFS({ lockdep: true });
    return new WasmBackend(vfs);
  }

  get prompt(): string { return this.sh.prompt; }

  async run(line: string): Promise<RunResult> {
    const r = this.sh.run(line);
    return { output: r.stdout + r.stderr, status: r.status };
  }

  async snapshot(): Promise<Snapshot> {
    return this.tr ? this.tr.snapshot() : emptySnapshot();
  }

  subscribe(onEvents: (events: TraceEvent[], lost: boolean) => void): () => void {
    if (!this.tr) return () => {};
    return this.tr.subscribe((evs) => onEvents(evs, evs.some((e) => e.kind === 'lost')));
  }

  async flush(): Promise<void> {
    this.tr?.flushEvents?.();
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
