import { hasNul, noNul } from "./args.js";
import { bytesOf } from "./ops.js";
import { BridgeError, type WasiFunc } from "./runtime.js";
import type { Shell } from "./shell.js";
import type { VFS } from "./vfs.js";
import { textDecoder } from "./text.js";

/** IOV_MAX: the most iovecs one call takes (host/wasi MaxIovecs). */
const IOV_MAX = 1024;

export interface WASIOptions {
  /** argv, argv[0] first. Default: ["wasi"]. An argument holding a NUL is a TypeError. */
  args?: string[];
  /** The environment, as an object or "KEY=value" strings; an entry holding a NUL or no "=" is a TypeError. */
  env?: Record<string, string> | string[];
  /**
   * Directories given to the guest as fds 3, 4, ..., as the guest names
   * them (paths inside root). Default: ["/"]; [] gives it none (as
   * node's WASI with no preopens), so it can open no path.
   */
  preopens?: string[];
  /** The VFS directory that becomes the guest's root (chroot). Default "/". */
  root?: string;
  /**
   * A shell (vfs.shell()) of this VFS whose task the guest's is forked
   * from: it runs with the shell's credentials (after `su` too) and
   * umask, as a program the shell started would. Default: the VFS's
   * first task (root, umask 022). The guest's working directory is its
   * root either way: pass the shell's as PWD for a guest (Go's wasip1
   * port) that resolves relative paths against it.
   */
  shell?: Shell;
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

// What an import stages into the exchange block before its call (see
// wasm/bridge/guestmem.go, whose Staging table wasiMemory sends and
// attach() checks this one against): [kind, a, b, c, d], kind 1 the byte
// ranges at parameters (a, b) and (c, d) (pointer, length; c = 255: none),
// 2 the iovec array at (a, b) (pointer, count), 3 the array and the
// buffers it names.
const PATHS = 1;
const IOVECS = 2;
const IOVEC_DATA = 3;
const NONE = 255;
const STAGING: Record<string, readonly number[]> = {
  path_create_directory: [PATHS, 1, 2, NONE, NONE],
  path_filestat_get: [PATHS, 2, 3, NONE, NONE],
  path_filestat_set_times: [PATHS, 2, 3, NONE, NONE],
  path_link: [PATHS, 2, 3, 5, 6],
  path_open: [PATHS, 2, 3, NONE, NONE],
  path_readlink: [PATHS, 1, 2, NONE, NONE],
  path_remove_directory: [PATHS, 1, 2, NONE, NONE],
  path_rename: [PATHS, 1, 2, 4, 5],
  path_symlink: [PATHS, 0, 1, 3, 4],
  path_unlink_file: [PATHS, 1, 2, NONE, NONE],
  fd_read: [IOVECS, 1, 2, NONE, NONE],
  fd_pread: [IOVECS, 1, 2, NONE, NONE],
  fd_write: [IOVEC_DATA, 1, 2, NONE, NONE],
  fd_pwrite: [IOVEC_DATA, 1, 2, NONE, NONE],
};

// Byte ranges of this many bytes or more are staged at the guest
// address's offset modulo DATA_ALIGN, as Go's arena keeps them (V8's
// memmove copies misaligned 4 KiB many times slower: wasm/bridge/codec.go).
const DATA_ALIGN = 64;
const DATA_ALIGN_MIN = 256;

/** The exchange block's layout, as wasiMemory gives it. */
interface Layout {
  nIn: number;
  nOut: number;
  inDesc: number;
  maxIn: number;
  outDesc: number;
  maxOut: number;
  inData: number;
  outData: number;
  size: number;
  writes: number;
}

/**
 * Exchange is one guest's exchange block in Go's memory
 * (wasm/bridge/guestmem.go): before a call, the import copies the guest
 * bytes the call will read into it (stage); after a call whose result has
 * the writes flag, it copies the writes Go queued there into the guest's
 * memory (apply). A call then crosses between the two memories only for
 * what did not fit.
 */
class Exchange {
  private go8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private go32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private x32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private gv: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private gv32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private nIn = 0;
  private at = 0;

  constructor(
    private readonly goMem: WebAssembly.Memory | undefined,
    private readonly guestMem: WebAssembly.Memory | undefined,
    private readonly addr: number,
    private readonly l: Layout,
  ) {}

  // Views of Go's memory are detached when it grows (their length
  // becomes 0), and remade then.
  private remapGo(): void {
    if (!this.goMem) return;
    this.go8 = new Uint8Array(this.goMem.buffer);
    this.go32 = new Uint32Array(this.goMem.buffer, 0, this.go8.length >>> 2);
    this.x32 = new Uint32Array(this.goMem.buffer, this.addr, this.l.size >>> 2);
  }

  // The guest's memory grows (detaching a plain memory's views, or
  // leaving a shared one's short): views remade when a range is past them.
  private remapGuest(): Uint8Array<ArrayBufferLike> {
    const buf = this.guestMem!.buffer;
    this.gv32 = new Uint32Array(buf, 0, buf.byteLength >>> 2);
    return (this.gv = new Uint8Array(buf));
  }

  /** Starts staging for a call. */
  begin(): void {
    if (this.x32.length === 0) this.remapGo();
    this.nIn = 0;
    this.at = this.l.inData;
  }

  /** Stages the n guest bytes at off, if they are in memory and fit. */
  stage(off: number, n: number): void {
    off >>>= 0;
    n >>>= 0;
    let gv = this.gv;
    if (off + n > gv.length) {
      if (!this.guestMem) return;
      gv = this.remapGuest();
      if (off + n > gv.length) return;
    }
    const l = this.l;
    if (this.nIn === l.maxIn || this.x32.length === 0) return;
    let a = this.at;
    if (n >= DATA_ALIGN_MIN) a += (off - a) & (DATA_ALIGN - 1);
    if (a + n > l.outData) return;
    const dst = this.addr + a;
    const go8 = this.go8;
    if (n <= 32) for (let i = 0; i < n; i++) go8[dst + i] = gv[off + i];
    else go8.set(gv.subarray(off, off + n), dst);
    const x32 = this.x32;
    const w = (l.inDesc >>> 2) + 3 * this.nIn;
    x32[w] = off;
    x32[w + 1] = n;
    x32[w + 2] = a;
    x32[l.nIn >>> 2] = ++this.nIn;
    this.at = a + n;
  }

  /** Stages an iovec array and, with data, the buffers it names. */
  iovecs(iovs: number, count: number, data: boolean): void {
    iovs >>>= 0;
    count >>>= 0;
    // Go refuses more than IOV_MAX iovecs (EINVAL, wasi.MaxIovecs) before
    // it reads any: staging them would only walk the guest's memory.
    if (count > IOV_MAX) return;
    this.stage(iovs, 8 * count);
    if (!data) return;
    const gv = this.gv;
    for (let i = 0, p = iovs; i < count && p + 8 <= gv.length; i++, p += 8) {
      const ptr = (gv[p] | (gv[p + 1] << 8) | (gv[p + 2] << 16) | (gv[p + 3] << 24)) >>> 0;
      const len = (gv[p + 4] | (gv[p + 5] << 8) | (gv[p + 6] << 16) | (gv[p + 7] << 24)) >>> 0;
      this.stage(ptr, len);
    }
  }

  /** Copies the writes the call queued into the guest's memory, in order. */
  apply(): void {
    if (this.x32.length === 0) this.remapGo();
    const l = this.l;
    const x32 = this.x32;
    const go8 = this.go8;
    const n = x32[l.nOut >>> 2];
    for (let i = 0, w = l.outDesc >>> 2; i < n; i++, w += 3) {
      const off = x32[w];
      const len = x32[w + 1];
      const src = x32[w + 2];
      let gv = this.gv;
      // Go checked the range against the memory's size.
      if (off + len > gv.length) gv = this.remapGuest();
      if (len > 64) gv.set(go8.subarray(src, src + len), off);
      else if (((off | src | len) & 3) === 0) {
        // Results and filestats: aligned words.
        const g32 = this.gv32;
        const s32 = this.go32;
        for (let k = off >>> 2, j = src >>> 2, e = (off + len) >>> 2; k < e; k++, j++) g32[k] = s32[j];
      } else for (let k = 0; k < len; k++) gv[off + k] = go8[src + k];
    }
  }
}

const noExchange = new Exchange(undefined, undefined, 0, {
  nIn: 0, nOut: 0, inDesc: 0, maxIn: 0, outDesc: 0, maxOut: 0, inData: 0, outData: 0, size: 0, writes: 0,
});

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
  // x is the guest's exchange block, once attach() passed its memory.
  private x = noExchange;
  // writes is the flag of a result with queued writes (WASIWrites).
  private writes = 0;

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
    vfs.guests.add(this);
  }

  // importFunc makes the import for one function: a closure calling the
  // Go export for its signature with the guest's id, the function's index
  // and the guest's parameters as they came (an i64 as a BigInt, which
  // is what the export takes). A result past the errno's 16 bits sends
  // it to slow(): output to deliver, an exit, a bridge error.
  private importFunc(go: (...args: (number | bigint)[]) => number, idx: number, f: WasiFunc) {
    const id = this.id;
    const nr = f.noReturn;
    // Each call stores the time in Go's clock word first: the call is a
    // tick of the VFS's clock (Runtime.clock).
    const rt = this.vfs.runtime;
    // A call abandoned asleep returns -1 (Runtime.wasiExport), which after()
    // looks into.
    const done = (r: number): number | undefined => (r >>> 0 <= ERRNO_MASK ? r : this.after(r, nr));
    // A caller in JavaScript may pass a number for an i64.
    const I = (a: number | bigint) => (typeof a === "bigint" ? a : BigInt(a));
    type A = number | bigint;
    type N = number;
    // The functions whose imports stage guest bytes (STAGING), each its
    // own closure.
    switch (f.name) {
      case "path_create_directory":
      case "path_remove_directory":
      case "path_unlink_file":
        return (a: N, p: N, n: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, p, n));
        };
      case "path_filestat_get":
        return (a: N, b: N, p: N, n: N, e: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, p, n, e));
        };
      case "path_filestat_set_times":
        return (a: N, b: N, p: N, n: N, e: A, g: A, h: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, p, n, I(e), I(g), h));
        };
      case "path_link":
        return (a: N, b: N, p: N, n: N, e: N, q: N, m: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          x.stage(q, m);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, p, n, e, q, m));
        };
      case "path_open":
        return (a: N, b: N, p: N, n: N, e: N, g: A, h: A, i: N, j: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, p, n, e, I(g), I(h), i, j));
        };
      case "path_readlink":
        return (a: N, p: N, n: N, d: N, e: N, g: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, p, n, d, e, g));
        };
      case "path_rename":
        return (a: N, p: N, n: N, d: N, q: N, m: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          x.stage(q, m);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, p, n, d, q, m));
        };
      case "path_symlink":
        return (p: N, n: N, c: N, q: N, m: N) => {
          const x = this.x;
          x.begin();
          x.stage(p, n);
          x.stage(q, m);
          rt.clock[0] = Date.now();
          return done(go(id, idx, p, n, c, q, m));
        };
      case "fd_read":
      case "fd_write": {
        const data = f.name === "fd_write";
        return (a: N, v: N, n: N, d: N) => {
          const x = this.x;
          x.begin();
          x.iovecs(v, n, data);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, v, n, d));
        };
      }
      case "fd_pread":
      case "fd_pwrite": {
        const data = f.name === "fd_pwrite";
        return (a: N, v: N, n: N, d: A, e: N) => {
          const x = this.x;
          x.begin();
          x.iovecs(v, n, data);
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, v, n, I(d), e));
        };
      }
    }
    switch (f.params.map((t) => (t === 1 ? "I" : "i")).join("")) {
      case "":
        return () => {
          rt.clock[0] = Date.now();
          return done(go(id, idx));
        };
      case "i":
        return (a: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a));
        };
      case "ii":
        return (a: A, b: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b));
        };
      case "iii":
        return (a: A, b: A, c: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c));
        };
      case "iiii":
        return (a: A, b: A, c: A, d: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d));
        };
      case "iiiii":
        return (a: A, b: A, c: A, d: A, e: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d, e));
        };
      case "iiiiii":
        return (a: A, b: A, c: A, d: A, e: A, g: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d, e, g));
        };
      case "iiiiiii":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d, e, g, h));
        };
      case "iIi":
        return (a: A, b: A, c: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, I(b), c));
        };
      case "iI":
        return (a: A, b: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, I(b)));
        };
      case "iII":
        return (a: A, b: A, c: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, I(b), I(c)));
        };
      case "iIIi":
        return (a: A, b: A, c: A, d: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, I(b), I(c), d));
        };
      case "iIii":
        return (a: A, b: A, c: A, d: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, I(b), c, d));
        };
      case "iiiIi":
        return (a: A, b: A, c: A, d: A, e: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, I(d), e));
        };
      case "iiiiIIi":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d, I(e), I(g), h));
        };
      case "iiiiiIIii":
        return (a: A, b: A, c: A, d: A, e: A, g: A, h: A, i: A, j: A) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, a, b, c, d, e, I(g), I(h), i, j));
        };
      default: {
        // A signature without a closure of its own (none today).
        const types = f.params;
        return (...args: A[]) => {
          rt.clock[0] = Date.now();
          return done(go(id, idx, ...args.map((a, i) => (types[i] === 1 ? I(a) : a))));
        };
      }
    }
  }

  // after handles a result with flags: the writes queued in the exchange
  // block first, then (slow) whatever else the flags ask for.
  private after(r: number, noReturn: boolean): number | undefined {
    // A guest still running after close() or dispose(): Go knows it no
    // more, which is no bug of vfscope's.
    if (this.closed) throw this.closedError();
    if (this.vfs.runtime.abandoned()) throw this.vfs.runtime.bridgeError();
    if (r !== -1 && r & this.writes) {
      this.x.apply();
      r &= ~this.writes;
      if (r >>> 0 <= ERRNO_MASK) return noReturn ? undefined : r;
    }
    return this.slow(r, noReturn);
  }

  // slow handles a result with flags: output to hand to the callbacks,
  // proc_exit (the guest is unwound with WASIExit), or -1 (the call was
  // not one: a bug, thrown as a BridgeError).
  private slow(r: number, noReturn: boolean): number | undefined {
    const rt = this.vfs.runtime;
    if (r === -1 || rt.abandoned()) throw rt.bridgeError();
    rt.begin();
    rt.opName("wasiOutput", 0);
    rt.num(this.id);
    const rd = rt.exec();
    if (rd.errno() !== 0) throw new Error("vfscope: wasiOutput failed");
    const exited = rd.u8() === 1;
    const code = rd.u32();
    // Everything is read, and the output copied, before a callback runs:
    // a callback may call the VFS, whose response overwrites this one.
    // Output is rare: look at the lengths before copying.
    const out = rd.peekU32() !== 0 ? rd.view().slice() : (rd.u32(), undefined);
    const err = rd.peekU32() !== 0 ? rd.view().slice() : (rd.u32(), undefined);
    if (out) this.emit(out, this.options.stdout, this.out);
    if (err) this.emit(err, this.options.stderr, this.err);
    if (exited) {
      this.exitCode = code;
      throw new WASIExit(code);
    }
    return noReturn ? undefined : r & ERRNO_MASK;
  }

  /** @internal Use vfs.wasiImports(). */
  static create(vfs: VFS, o: WASIOptions): WASI {
    if (o.env != null && typeof o.env !== "object") throw new TypeError(`wasiImports: env must be an object or an array of KEY=value strings, got ${typeof o.env}`);
    const env = Array.isArray(o.env) ? o.env : Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const stdin = o.stdin === undefined ? new Uint8Array() : bytesOf(o.stdin, "stdin");
    const args = o.args ?? ["wasi"];
    // Absent: the guest gets "/"; an empty list: no preopens at all.
    const pre = o.preopens ?? ["/"];
    const root = o.root ?? "/";
    checkOptions(args, env, pre, root);
    const shell = o.shell ? o.shell.bridgeId(vfs) : 0;
    const id = vfs.one({
      op: "wasiNew",
      syscall: "wasi",
      // An error names the root, or the preopen that failed (the step
      // Go puts in the errno word: 1 + its index) with its open.
      path: root,
      calls: ["wasi", ...pre.map(() => "open")],
      paths: [root, ...pre],
      enc: (rt) => (rt.strs(args), rt.strs(env), rt.strs(pre), rt.str(root), rt.bytes(stdin), rt.num(shell)),
      dec: (r) => r.num(),
    });
    return new WASI(vfs, id, o);
  }

  // emit hands a copy of output to its callback, or keeps it.
  private emit(copy: Uint8Array, cb: ((d: Uint8Array) => void) | undefined, keep: Uint8Array[]): void {
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

  // closedError is what a closed guest's calls throw.
  private closedError(): Error {
    return new Error(this.vfs.disposed ? "vfscope: this VFS is closed" : "vfscope: this WASI guest is closed");
  }

  /** Hands the guest's memory to the ABI; start() and initialize() do it. */
  attach(instance: WebAssembly.Instance | { exports: { memory: WebAssembly.Memory } }): void {
    if (this.closed) throw this.closedError();
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
    // The exchange block: its address, its layout, and which imports
    // stage what (checked against STAGING).
    const addr = r.u32();
    const l: Layout = {
      nIn: r.u32(),
      nOut: r.u32(),
      inDesc: r.u32(),
      maxIn: r.u32(),
      outDesc: r.u32(),
      maxOut: r.u32(),
      inData: r.u32(),
      outData: r.u32(),
      size: r.u32(),
      writes: r.u32(),
    };
    const n = r.u32();
    const goStaging = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const name = r.str();
      goStaging.set(name, [r.u8(), r.u8(), r.u8(), r.u8(), r.u8()].join());
    }
    const ours = Object.entries(STAGING);
    if (ours.length !== goStaging.size || ours.some(([name, s]) => goStaging.get(name) !== s.join())) {
      throw new BridgeError("vfscope.wasm stages other guest memory for its WASI calls than this library");
    }
    this.x = new Exchange(rt.goMemory, ex.memory, addr, l);
    this.writes = l.writes;
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

  /** Closes the guest's descriptors and task; after vfs.dispose(), which ended them, it does nothing more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.vfs.guests.delete(this);
    if (this.slot) this.vfs.runtime.unregisterGuestMemory(this.slot);
    this.slot = 0;
    // Go frees the exchange block with the guest: a call the guest still
    // makes must stage nothing into that memory, whatever holds it next.
    this.x = noExchange;
    if (this.vfs.disposed) return;
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

/**
 * Checks a guest's argv and environment before anything is created: they
 * reach it as C strings, the environment's as KEY=value, so a NUL, or an
 * entry without "=", is a TypeError (wazero rejects both).
 */
// checkOptions checks wasiImports' arguments before anything is made: a
// wrong type, or a NUL character Go's side could not carry, is a
// TypeError naming the option.
function checkOptions(args: readonly string[], env: readonly string[], pre: readonly string[], root: string): void {
  if (!Array.isArray(args)) throw new TypeError(`wasiImports: args must be an array of strings, got ${typeof args}`);
  if (!Array.isArray(pre)) throw new TypeError(`wasiImports: preopens must be an array of paths, got ${typeof pre}`);
  if (typeof root !== "string") throw new TypeError(`wasiImports: root must be a path string, got ${typeof root}`);
  noNul(root, "root");
  pre.forEach((p, i) => {
    if (typeof p !== "string") throw new TypeError(`wasiImports: preopens[${i}] is a ${typeof p}, not a path string`);
    noNul(p, `preopens[${i}]`);
  });
  args.forEach((a, i) => {
    if (typeof a !== "string") throw new TypeError(`wasiImports: args[${i}] is a ${typeof a}, not a string`);
    if (hasNul(a)) throw new TypeError(`wasiImports: args[${i}] (${JSON.stringify(a)}) contains a NUL character`);
  });
  env.forEach((e, i) => {
    if (typeof e !== "string") throw new TypeError(`wasiImports: env[${i}] is a ${typeof e}, not a string`);
    if (hasNul(e)) throw new TypeError(`wasiImports: env[${i}] (${JSON.stringify(e)}) contains a NUL character`);
    if (!e.includes("=")) throw new TypeError(`wasiImports: env[${i}] (${JSON.stringify(e)}) is not of the form KEY=value`);
  });
}
