import type { WasiFunc } from "./runtime.js";
import type { VFS } from "./vfs.js";

export interface WASIOptions {
  /** argv, argv[0] first. Default: ["wasi"]. */
  args?: string[];
  /** The environment, as an object or "KEY=value" strings. */
  env?: Record<string, string> | string[];
  /**
   * Directories given to the guest as fds 3, 4, ..., as the guest names
   * them (paths inside root). Default: ["/"].
   */
  preopens?: string[];
  /** The VFS directory that becomes the guest's root (chroot). Default "/". */
  root?: string;
  /** The guest's standard input. Default: empty. */
  stdin?: string | Uint8Array;
  /** Receives what the guest writes to fd 1; without it, output is kept in `stdout`. */
  stdout?: (data: Uint8Array) => void;
  /** Receives what the guest writes to fd 2; without it, output is kept in `stderr`. */
  stderr?: (data: Uint8Array) => void;
}

/** Thrown through the guest's frames by proc_exit; start() turns it into the exit code. */
export class WASIExit extends Error {
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
    this.name = "WASIExit";
  }
}

/** What a guest instance must export for start(). */
interface GuestExports {
  memory: WebAssembly.Memory;
  _start?: () => void;
  _initialize?: () => void;
}

// The errno's bits of a WASI call's result (the rest are flags: see
// CallWASI in wasm/bridge).
const ERRNO_MASK = 0xffff;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * WASI is one guest's WASI preview1 state on a VFS. Every import calls
 * vfscope's Go ABI (host/wasi, the same code `vfscope run` uses) in one
 * crossing; the ABI copies exactly the guest bytes it reads or writes,
 * straight between the guest's memory and Go's.
 */
export class WASI {
  /** The import object: pass it to WebAssembly.instantiate. */
  readonly imports: { wasi_snapshot_preview1: Record<string, (...args: never[]) => unknown> };
  /** The exit code once the guest called proc_exit. */
  exitCode?: number;
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];
  private closed = false;
  private slot = 0;

  private constructor(
    private readonly vfs: VFS,
    private readonly id: number,
    private readonly options: WASIOptions,
  ) {
    const rt = vfs.runtime;
    const mod: Record<string, (...args: never[]) => unknown> = {};
    rt.wasiFuncs().forEach((f, idx) => {
      mod[f.name] = this.importFunc(rt.wasiExport(f.params), idx, f);
    });
    this.imports = { wasi_snapshot_preview1: mod };
  }

  // importFunc makes the import for one function: a closure calling the
  // Go export for its signature with the guest's id, the function's index
  // and the guest's parameters as they came (an i64 as a BigInt, which
  // is what the export takes). A result past the errno's 16 bits sends
  // it to slow(): output to deliver, an exit, a bridge error.
  private importFunc(go: (...args: (number | bigint)[]) => number, idx: number, f: WasiFunc) {
    const id = this.id;
    const nr = f.noReturn;
    const done = (r: number): number | undefined => (r >>> 0 <= ERRNO_MASK ? r : this.slow(r, nr));
    // A caller in JavaScript may pass a number for an i64.
    const I = (a: number | bigint) => (typeof a === "bigint" ? a : BigInt(a));
    type A = number | bigint;
    switch (f.params.map((t) => (t === 1 ? "I" : "i")).join("")) {
      case "":
        return () => done(go(id, idx));
      case "i":
        return (a: A) => done(go(id, idx, a));
      case "ii":
        return (a: A, b: A) => done(go(id, idx, a, b));
      case "iii":
        return (a: A, b: A, c: A) => done(go(id, idx, a, b, c));
      case "iiii":
        return (a: A, b: A, c: A, d: A) => done(go(id, idx, a, b, c, d));
      case "iiiii":
        return (a: A, b: A, c: A, d: A, e: A) => done(go(id, idx, a, b, c, d, e));
      case "iiiiii":
        return (a: A, b: A, c: A, d: A, e: A, g: A) => done(go(id, idx, a, b, c, d, e, g));
      case "iiiiiii":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A) => done(go(id, idx, a, b, c, d, e, g, h));
      case "iIi":
        return (a: A, b: A, c: A) => done(go(id, idx, a, I(b), c));
      case "iI":
        return (a: A, b: A) => done(go(id, idx, a, I(b)));
      case "iII":
        return (a: A, b: A, c: A) => done(go(id, idx, a, I(b), I(c)));
      case "iIIi":
        return (a: A, b: A, c: A, d: A) => done(go(id, idx, a, I(b), I(c), d));
      case "iIii":
        return (a: A, b: A, c: A, d: A) => done(go(id, idx, a, I(b), c, d));
      case "iiiIi":
        return (a: A, b: A, c: A, d: A, e: A) => done(go(id, idx, a, b, c, I(d), e));
      case "iiiiIIi":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A) => done(go(id, idx, a, b, c, d, I(e), I(g), h));
      case "iiiiiIIii":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A, i: A, j: A) =>
          done(go(id, idx, a, b, c, d, e, I(g), I(h), i, j));
      default: {
        // A signature without a closure of its own (none today).
        const types = f.params;
        return (...args: A[]) => done(go(id, idx, ...args.map((a, i) => (types[i] === 1 ? I(a) : a))));
      }
    }
  }

  // slow handles a result with flags: output to hand to the callbacks,
  // proc_exit (the guest is unwound with WASIExit), or -1 (the call was
  // not one: a bug, thrown as a BridgeError).
  private slow(r: number, noReturn: boolean): number | undefined {
    const rt = this.vfs.runtime;
    if (r === -1) throw rt.bridgeError();
    rt.begin();
    rt.opName("wasiOutput", 0);
    rt.num(this.id);
    const rd = rt.exec();
    if (rd.errno() !== 0) throw new Error("vfscope: wasiOutput failed");
    const exited = rd.u8() === 1;
    const code = rd.u32();
    // Output is rare: look at the lengths before making views.
    if (rd.peekU32() !== 0) this.emit(rd.view(), this.options.stdout, this.out);
    else rd.u32();
    if (rd.peekU32() !== 0) this.emit(rd.view(), this.options.stderr, this.err);
    else rd.u32();
    if (exited) {
      this.exitCode = code;
      throw new WASIExit(code);
    }
    return noReturn ? undefined : r & ERRNO_MASK;
  }

  /** @internal Use vfs.wasiImports(). */
  static create(vfs: VFS, o: WASIOptions): WASI {
    const env = Array.isArray(o.env) ? o.env : Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const stdin = typeof o.stdin === "string" ? textEncoder.encode(o.stdin) : (o.stdin ?? new Uint8Array());
    const args = o.args ?? ["wasi"];
    const pre = o.preopens ?? [];
    const root = o.root ?? "/";
    const id = vfs.one({
      op: "wasiNew",
      syscall: "wasi",
      path: root,
      enc: (rt) => (rt.strs(args), rt.strs(env), rt.strs(pre), rt.str(root), rt.bytes(stdin)),
      dec: (r) => r.num(),
    });
    return new WASI(vfs, id, o);
  }

  private emit(data: Uint8Array, cb: ((d: Uint8Array) => void) | undefined, keep: Uint8Array[]): void {
    const copy = data.slice();
    if (cb) cb(copy);
    else keep.push(copy);
  }

  /** Output kept (when no stdout callback was given), as text. */
  get stdout(): string {
    return textDecoder.decode(concat(this.out));
  }
  get stderr(): string {
    return textDecoder.decode(concat(this.err));
  }

  /** Hands the guest's memory to the ABI; start() and initialize() do it. */
  attach(instance: WebAssembly.Instance | { exports: { memory: WebAssembly.Memory } }): void {
    const ex = instance.exports as unknown as GuestExports;
    if (!(ex.memory instanceof WebAssembly.Memory)) throw new TypeError("the guest exports no memory");
    const rt = this.vfs.runtime;
    if (this.slot) rt.unregisterGuestMemory(this.slot);
    this.slot = rt.registerGuestMemory(ex.memory);
    rt.begin();
    rt.opName("wasiMemory", 0);
    rt.num(this.id);
    rt.u32(this.slot);
    const r = rt.exec();
    if (r.errno() !== 0) throw new Error("vfscope: wasiMemory failed");
  }

  /** Runs a command guest's _start; returns its exit code (0 if _start returns). */
  start(instance: WebAssembly.Instance): number {
    const ex = instance.exports as unknown as GuestExports;
    if (typeof ex._start !== "function") throw new TypeError("the guest exports no _start");
    this.attach(instance);
    try {
      ex._start();
      return 0;
    } catch (e) {
      if (e instanceof WASIExit) return e.code;
      throw e;
    } finally {
      this.vfs.noteActivity();
    }
  }

  /** Initializes a reactor guest (_initialize, if exported). */
  initialize(instance: WebAssembly.Instance): void {
    this.attach(instance);
    const ex = instance.exports as unknown as GuestExports;
    ex._initialize?.();
  }

  /** Closes the guest's descriptors and task. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.slot) this.vfs.runtime.unregisterGuestMemory(this.slot);
    this.vfs.one({ op: "wasiClose", syscall: "exit", enc: (rt) => rt.num(this.id), dec: () => undefined });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
