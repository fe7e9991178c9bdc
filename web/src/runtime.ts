// The Go side: loading vfscope.wasm (with Go's wasm_exec.js) once, and the
// one entry point every operation goes through. A batch is encoded into a
// shared Uint8Array, copied to Go once, executed there, and its results
// copied back into the same array once (see wasm/bridge in the Go source
// for the protocol).

/** The bridge object the Go program registers. */
interface GoBridge {
  call(u8: Uint8Array, n: number, capacity: number, extra?: object): number | string;
  take(u8: Uint8Array): number;
}

/** Where to get vfscope.wasm: a URL or path, its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** An error of the bridge itself (a malformed request): a bug, not an errno. */
export class BridgeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BridgeError";
  }
}

/** The WASI function table the Go ABI serves (host/wasi.Funcs). */
export interface WasiFunc {
  name: string;
  /** 0 = i32, 1 = i64 for each parameter. */
  params: number[];
  noReturn: boolean;
}

/**
 * Runtime is one running instance of vfscope.wasm. Several VFS instances
 * share it. Not for use by applications: VFS and its helpers drive it.
 */
export class Runtime {
  /** Opcodes by name, learned from the Go side's "hello". */
  readonly ops: Record<string, number> = {};
  /** Errno names and texts by number. */
  readonly errnos = new Map<number, { name: string; text: string }>();
  /** Number of batches run (each one JS-to-Go crossing). */
  crossings = 0;

  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;
  private count = 0;
  private wasiFuncList?: WasiFunc[];

  constructor(
    private readonly bridge: GoBridge,
    /** The Go program's linear memory, for the WASI guest-memory helper. */
    readonly goMemory: WebAssembly.Memory,
  ) {
    this.buf = new Uint8Array(64 << 10);
    this.dv = new DataView(this.buf.buffer);
    this.ops.hello = 1;
    this.begin();
    this.op(1, 0);
    const r = this.exec();
    r.errno();
    const nops = r.u32();
    for (let i = 0; i < nops; i++) {
      const name = r.str();
      if (name) this.ops[name] = i;
    }
    const nerr = r.u32();
    for (let i = 0; i < nerr; i++) {
      const num = r.num();
      const name = r.str();
      const text = r.str();
      this.errnos.set(num, { name, text });
    }
  }

  /** Starts a batch. */
  begin(): void {
    this.pos = 4;
    this.count = 0;
  }

  /** Adds an operation (by opcode) acting on target (a VFS id or 0). */
  op(code: number, target: number): void {
    this.ensure(5);
    this.dv.setUint8(this.pos, code);
    this.dv.setUint32(this.pos + 1, target, true);
    this.pos += 5;
    this.count++;
  }

  opName(name: string, target: number): void {
    const code = this.ops[name];
    if (code === undefined) throw new BridgeError(`vfscope.wasm has no operation "${name}"`);
    this.op(code, target);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.dv.setUint8(this.pos, v);
    this.pos += 1;
  }

  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  /** A wasm i32 parameter, widened to the u64 the WASI call carries. */
  i32(v: number): void {
    this.ensure(8);
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.dv.setUint32(this.pos + 4, 0, true);
    this.pos += 8;
  }

  /** An integer argument (a JavaScript number, exact to 2^53). */
  num(v: number): void {
    if (!Number.isInteger(v)) throw new TypeError(`expected an integer, got ${v}`);
    this.ensure(8);
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  str(s: string): void {
    if (typeof s !== "string") throw new TypeError(`expected a string, got ${typeof s}`);
    this.ensure(4 + s.length * 3);
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos + 4));
    this.dv.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }

  strs(list: readonly string[]): void {
    this.u32(list.length);
    for (const s of list) this.str(s);
  }

  bytes(p: Uint8Array): void {
    this.ensure(4 + p.length);
    this.dv.setUint32(this.pos, p.length, true);
    this.buf.set(p, this.pos + 4);
    this.pos += 4 + p.length;
  }

  /** Runs the batch; extra is passed to Go beside the buffer. */
  exec(extra?: object): Reader {
    this.dv.setUint32(0, this.count, true);
    this.crossings++;
    let n = this.bridge.call(this.buf, this.pos, this.buf.length, extra);
    if (typeof n === "string") throw new BridgeError(n);
    if (n < 0) {
      // The results did not fit: grow and fetch them.
      let size = this.buf.length * 2;
      while (size < -n) size *= 2;
      this.buf = new Uint8Array(size);
      this.dv = new DataView(this.buf.buffer);
      n = this.bridge.take(this.buf);
    }
    return new Reader(this.buf, this.dv, n);
  }

  /** The WASI preview1 functions, in the order wasiCall numbers them. */
  wasiFuncs(): WasiFunc[] {
    if (this.wasiFuncList) return this.wasiFuncList;
    this.begin();
    this.opName("wasiFuncs", 0);
    const r = this.exec();
    r.errno();
    const out: WasiFunc[] = [];
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const name = r.str();
      const np = r.u8();
      const params: number[] = [];
      for (let j = 0; j < np; j++) params.push(r.u8());
      out.push({ name, params, noReturn: r.u8() === 1 });
    }
    this.wasiFuncList = out;
    return out;
  }
}

/** Reads a batch's results, in the order the operations were added. */
export class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly dv: DataView,
    readonly length: number,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.length) throw new BridgeError("vfscope bridge: response shorter than expected");
  }

  /** The next operation's errno: 0 means its results follow. */
  errno(): number {
    return this.u32();
  }

  u8(): number {
    this.need(1);
    return this.dv.getUint8(this.pos++);
  }

  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  num(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A copy of the next byte string (the shared buffer is reused). */
  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next byte string, aliasing the shared buffer until the next batch. */
  view(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = n === 0 ? "" : textDecoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

let registrations = 0;
let defaultRuntime: Promise<Runtime> | undefined;

const isNode = typeof process !== "undefined" && !!process.versions?.node;

async function wasmModule(src: WasmSource): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return WebAssembly.compile(src as BufferSource);
  const url = src instanceof URL ? src : new URL(src, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return WebAssembly.compile(await readFile(url));
  }
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`vfscope: fetching ${url}: ${resp.status} ${resp.statusText}`);
  if (WebAssembly.compileStreaming && resp.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(resp);
  }
  return WebAssembly.compile(await resp.arrayBuffer());
}

/**
 * Loads and starts vfscope.wasm. Without a source, the vfscope.wasm beside
 * this module is loaded once and shared by every later call.
 */
export function loadRuntime(src?: WasmSource): Promise<Runtime> {
  if (src === undefined) {
    defaultRuntime ??= startRuntime(new URL("./vfscope.wasm", import.meta.url));
    return defaultRuntime;
  }
  return startRuntime(src);
}

interface GoInstance {
  argv: string[];
  env: Record<string, string>;
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}

async function startRuntime(src: WasmSource): Promise<Runtime> {
  const g = globalThis as unknown as Record<string, unknown>;
  if (typeof g.Go !== "function") {
    await import(/* @vite-ignore */ new URL("./wasm_exec.js", import.meta.url).href);
  }
  const Go = g.Go as new () => GoInstance;
  const mod = await wasmModule(src);
  const go = new Go();
  const name = `__vfscopeRegister${++registrations}`;
  go.argv = ["vfscope.wasm", name];
  go.env = {};
  const instance = await WebAssembly.instantiate(mod, go.importObject);
  const registered = new Promise<GoBridge>((resolve) => {
    g[name] = (b: GoBridge) => {
      delete g[name];
      resolve(b);
    };
  });
  const exited = go.run(instance).then(() => {
    throw new Error("vfscope.wasm exited");
  });
  const bridge = await Promise.race([registered, exited]);
  return new Runtime(bridge, instance.exports.mem as WebAssembly.Memory);
}
