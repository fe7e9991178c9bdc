// The Go side: loading vfscope.wasm (with Go's wasm_exec.js) once, and the
// one entry point every operation goes through. A batch is encoded into a
// shared Uint8Array, copied to Go once, executed there, and its results
// copied back into the same array once (see wasm/bridge in the Go source
// for the protocol).

import { int, typedLength } from "./args.js";
import { textDecoder } from "./text.js";

/** The exports of vfscope.wasm that make the bridge (see wasm/main.go). */
interface BridgeExports {
  mem: WebAssembly.Memory;
  vfscope_reserve(n: number): number;
  vfscope_state(): number;
  vfscope_call(): void;
  /** The address of the clock word: a float64, the next crossing's time in ms (Date.now()). */
  vfscope_clock?(): number;
  /** The address of the WASI call block (wasm/main.go's wasiBlock). */
  vfscope_wasi_block(): number;
  /** Runs the WASI call stored in the block, leaving its result there. */
  vfscope_wasi(): void;
}

/** What the loader keeps for the imports of module "vfscope". */
interface Hooks {
  ready(): void;
  /** WASI guests' memories by slot (wasiMemory names the slot). */
  guests: Map<number, WebAssembly.Memory>;
  /** Full views of the guests' memories, remade when one grows. */
  views: Map<number, Uint8Array>;
  /** Called when Go's memory has grown (its views are detached). */
  grown(): void;
  /** Whether the Go program has exited (a fatal error: out of memory...): nothing runs after. */
  exited(): boolean;
}

/** Where to get vfscope.wasm: a URL or path, its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

const textEncoder = new TextEncoder();

// Byte strings of DATA_ALIGN_MIN bytes or more start at a multiple of
// DATA_ALIGN bytes from the start of their request or response (padding
// follows the length): file data then has the alignment of the pages it
// is copied to and from, which V8's memmove needs on some CPUs to copy at
// full speed (see wasm/bridge/codec.go).
const DATA_ALIGN = 64;
const DATA_ALIGN_MIN = 256;

function dataPad(off: number, n: number): number {
  return n < DATA_ALIGN_MIN ? 0 : -off & (DATA_ALIGN - 1);
}

// Strings up to this many UTF-16 units are encoded without TextEncoder
// when they are ASCII (Runtime.str).
const SHORT_STRING = 64;

/**
 * The largest request the bridge sends (wasm/main.go's maxRequest): a
 * batch encoding more is a RangeError before anything is sent.
 */
const MAX_REQUEST = 1 << 30;

/**
 * Linux's PATH_MAX: getname fails a path of PATH_MAX bytes or more with
 * ENAMETOOLONG, so Runtime.path sends at most PATH_MAX + 1 bytes of one.
 */
const PATH_MAX = 4096;

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
  /** Number of batches run (each one call into Go). */
  crossings = 0;
  /** The Go program's linear memory, for the WASI guest-memory helper. */
  readonly goMemory: WebAssembly.Memory;
  /**
   * @internal The clock word in Go's memory: before each crossing into Go
   * (a batch, a WASI call), the caller stores Date.now() in clock[0], and
   * the crossing's timestamps take that time without calling out to
   * JavaScript for it (wasm/bridge/clock.go). Remade with the other views
   * when Go's memory grows: load it at each store.
   */
  clock: Float64Array<ArrayBufferLike> = new Float64Array(1);

  // buf is the request buffer: a view of Go's memory at reqAddr, remade
  // whenever Go's memory has grown (which detaches the old views).
  private buf: Uint8Array;
  private dv: DataView;
  private reqAddr: number;
  // reqCap is the request buffer's size (a detached view's length is 0).
  private reqCap = 64 << 10;
  private readonly stateAddr: number;
  // clockAddr is the clock word's address, 0 if vfscope.wasm has none
  // (clock then stays a private array, and Go reads the time itself).
  private readonly clockAddr: number;
  private pos = 0;
  private count = 0;
  private seq = 0;
  // Views of all of Go's memory for reading responses, remade when it grows.
  private mem8!: Uint8Array;
  private memDV!: DataView;
  private state32!: Uint32Array;
  // The WASI call block: guest id, function, result, padding, then the
  // parameters as 9 uint64 (wasi32 sees each as two words).
  private readonly wasiAddr: number;
  private wasi32!: Uint32Array;
  private wasi64!: BigUint64Array;
  // The view of the WASI block whose i32 slots' high words are known to
  // be zero (wasiExport).
  private wasiClean?: Uint32Array;
  private wasiFuncList?: WasiFunc[];
  private reader?: Reader;

  private nextSlot = 0;
  // encoding is set from begin() to exec() (or cancel()): while a batch
  // is written into buf, no other may begin.
  private encoding = false;

  /** @internal */
  constructor(
    private readonly ex: BridgeExports,
    private readonly hooks: Hooks,
  ) {
    this.goMemory = ex.mem;
    this.reqAddr = ex.vfscope_reserve(64 << 10);
    this.stateAddr = ex.vfscope_state();
    this.clockAddr = ex.vfscope_clock?.() ?? 0;
    this.wasiAddr = ex.vfscope_wasi_block();
    // Go's runtime reports each growth of its memory (wasm_exec.js's
    // runtime.resetMemoryDataView): the views are remade then, so that
    // the WASI imports' clock stores, which check nothing, keep reaching
    // Go. (Without the report, the next batch remakes them; until then
    // those stores are lost and Go reads the time itself.)
    hooks.grown = () => this.remap();
    this.buf = new Uint8Array(0);
    this.dv = new DataView(new ArrayBuffer(0));
    this.remap();
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

  private remap(): void {
    const mem = this.goMemory.buffer;
    this.buf = new Uint8Array(mem, this.reqAddr, this.reqCap);
    this.dv = new DataView(mem, this.reqAddr, this.reqCap);
    this.mem8 = new Uint8Array(mem);
    this.memDV = new DataView(mem);
    this.state32 = new Uint32Array(mem, this.stateAddr, 4);
    this.wasi32 = new Uint32Array(mem, this.wasiAddr, 4 + 2 * 9);
    this.wasi64 = new BigUint64Array(mem, this.wasiAddr + 16, 9);
    if (this.clockAddr !== 0) this.clock = new Float64Array(mem, this.clockAddr, 1);
  }

  /**
   * Starts a batch. A batch begun while another is being encoded (a VFS
   * call made from user code that ran inside an encode) is an Error: it
   * would overwrite the request being written.
   */
  begin(): void {
    this.checkRunning();
    if (this.encoding) {
      throw new Error("vfscope: a call was made while another call's arguments were being encoded (from a getter or an overridden method of an argument); make it after that call returns");
    }
    this.encoding = true;
    // Growing Go's memory detaches the views (their length becomes 0):
    // cheaper to test than the Memory's buffer getter.
    if (this.buf.length === 0) this.remap();
    this.pos = 4;
    this.count = 0;
  }

  /**
   * Throws Error("vfscope.wasm exited") once the Go program has exited
   * (a fatal error, such as running out of memory): its exports no
   * longer run, for any VFS of the runtime.
   */
  private checkRunning(): void {
    if (this.hooks.exited()) throw new Error("vfscope.wasm exited");
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
    // A length that is not a safe integer (NaN from a length that was
    // not one) would double the buffer on every call and never fit.
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`vfscope: a request of ${String(n)} more bytes is not a size`);
    const need = this.pos + n;
    if (need <= this.reqCap) return;
    // Above MAX_REQUEST nothing changes: the buffer, its address and
    // size stay as they were, so the runtime (shared by every VFS) keeps
    // working after one request too big to send.
    if (need > MAX_REQUEST) {
      throw new RangeError(`vfscope: a request of ${need} bytes is over the bridge's limit of ${MAX_REQUEST} bytes`);
    }
    let size = this.reqCap * 2;
    while (size < need) size *= 2;
    size = Math.min(size, MAX_REQUEST);
    // Go grows the buffer keeping what is written so far; 0 is a refusal.
    const addr = this.ex.vfscope_reserve(size) >>> 0;
    if (addr === 0) throw new RangeError(`vfscope: Go could not reserve a request buffer of ${size} bytes`);
    this.reqAddr = addr;
    this.reqCap = size;
    this.remap();
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

  /**
   * An integer argument: a JavaScript number, exact to 2^53, so a safe
   * integer (args.ts's int: TypeError, or RangeError past 2^53). The
   * specs check theirs when they are made; this catches the rest before
   * anything is sent.
   */
  num(v: number): void {
    int(v, "argument");
    this.ensure(8);
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /**
   * A string argument, as UTF-8; a Uint8Array goes as its bytes (a path
   * that is not valid UTF-8). A string holding a lone surrogate is a
   * TypeError: UTF-8 cannot hold one, and encoding it as U+FFFD would
   * make different strings name the same file.
   */
  str(s: string | Uint8Array): void {
    if (s instanceof Uint8Array) {
      const n = typedLength.call(s);
      this.ensure(4 + n);
      this.dv.setUint32(this.pos, n, true);
      this.buf.set(s, this.pos + 4);
      this.pos += 4 + n;
      return;
    }
    if (typeof s !== "string") throw new TypeError(`expected a string, got ${typeof s}`);
    const n = s.length;
    this.ensure(4 + n * 3);
    const at = this.pos + 4;
    if (n <= SHORT_STRING) {
      // Short ASCII strings (most paths) byte by byte: a third of the
      // cost of encodeInto and the subarray it writes into.
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === n) {
        this.dv.setUint32(this.pos, n, true);
        this.pos = at + n;
        return;
      }
    }
    const wf = (s as unknown as { isWellFormed?(): boolean }).isWellFormed;
    if (wf !== undefined && !wf.call(s)) {
      throw new TypeError(`${JSON.stringify(s)} holds a lone surrogate, which UTF-8 cannot encode: pass its bytes as a Uint8Array`);
    }
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(at));
    this.dv.setUint32(this.pos, written, true);
    this.pos = at + written;
  }

  /**
   * A path (or a symlink's target), as str sends it, but at most
   * PATH_MAX + 1 bytes of it: Go's getname fails anything of PATH_MAX
   * bytes or more with ENAMETOOLONG before looking at it further, so a
   * longer one fails the same without being copied whole into Go.
   */
  path(s: string | Uint8Array): void {
    if (s instanceof Uint8Array) {
      this.str(s.length > PATH_MAX ? s.subarray(0, PATH_MAX + 1) : s);
      return;
    }
    if (typeof s !== "string" || s.length <= PATH_MAX) {
      this.str(s);
      return;
    }
    // PATH_MAX + 1 UTF-16 units are at least as many UTF-8 bytes; a
    // high surrogate whose pair was cut off is dropped (one unit more is
    // taken for it). A lone surrogate in what is kept is str's TypeError.
    let head = s.slice(0, PATH_MAX + 2);
    const last = head.charCodeAt(head.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
    const wf = (head as unknown as { isWellFormed?(): boolean }).isWellFormed;
    if (wf !== undefined && !wf.call(head)) {
      this.str(head);
      return;
    }
    this.str(textEncoder.encode(head).subarray(0, PATH_MAX + 1));
  }

  strs(list: readonly string[]): void {
    this.u32(list.length);
    for (const s of list) this.str(s);
  }

  /** A byte string: p must be a Uint8Array (TypeError), whose length sizes the request. */
  bytes(p: Uint8Array): void {
    if (!(p instanceof Uint8Array)) throw new TypeError(`expected a Uint8Array, got ${p === null ? "null" : typeof p}`);
    const n = typedLength.call(p);
    this.ensure(4 + DATA_ALIGN + n);
    this.dv.setUint32(this.pos, n, true);
    this.pos += 4;
    this.pos += dataPad(this.pos, n);
    this.buf.set(p, this.pos);
    this.pos += n;
  }

  /** Registers a WASI guest's memory; wasiMemory names the slot. */
  registerGuestMemory(m: WebAssembly.Memory): number {
    const slot = ++this.nextSlot;
    this.hooks.guests.set(slot, m);
    return slot;
  }

  unregisterGuestMemory(slot: number): void {
    this.hooks.guests.delete(slot);
    this.hooks.views.delete(slot);
  }

  /** Ends a batch whose encoding failed: nothing is sent. */
  cancel(): void {
    this.encoding = false;
  }

  /**
   * Runs the batch: one call into Go, which reads the request where it was
   * written and leaves the response in its memory, read in place.
   */
  exec(): Reader {
    this.encoding = false;
    this.checkRunning();
    this.dv.setUint32(0, this.count, true);
    this.crossings++;
    // seq is never 0: word 0 is cleared, and only Go's answer to this
    // batch sets it to seq (wasm/main.go's call).
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    this.clock[0] = Date.now();
    if (this.mem8.length === 0) this.remap();
    let st = this.state32;
    st[0] = 0;
    st[1] = this.pos;
    st[2] = seq;
    this.ex.vfscope_call();
    this.checkRunning();
    if (this.mem8.length === 0) this.remap();
    st = this.state32;
    if (st[0] !== seq) {
      throw new BridgeError("vfscope: vfscope_call returned without answering the batch (an operation waited for JavaScript, which a synchronous call cannot do)");
    }
    const addr = st[1];
    const len = st[2];
    if (st[3]) {
      // 1: the batch failed; 2: it could not finish and was abandoned.
      st[3] = 0;
      throw new BridgeError(textDecoder.decode(this.mem8.subarray(addr, addr + len)));
    }
    // One Reader, reset for each batch: its results are read before the
    // next batch runs (they alias Go's buffer anyway).
    if (this.reader === undefined || this.reader.buffer !== this.mem8) this.reader = new Reader(this.mem8, this.memDV, addr, addr + len, addr);
    else this.reader.reset(addr, addr + len);
    return this.reader;
  }

  /**
   * The function a WASI import calls: it takes the guest's id, the
   * function's index in wasiFuncs(), then the parameters (i32 numbers, and
   * for params[k] = 1 an i64 as a BigInt or number), stores them in Go's
   * WASI call block, runs vfscope_wasi, and returns the errno, with
   * WASI_OUTPUT and WASI_EXITED set as they apply, or -1 for a call that
   * is not one (bridgeError() has the message; so it has when abandoned()).
   */
  wasiExport(params: readonly number[]): (...args: (number | bigint)[]) => number {
    const call = this.ex.vfscope_wasi;
    if (typeof call !== "function") throw new BridgeError("vfscope.wasm has no export vfscope_wasi");
    const t = params.slice();
    const n = t.length;
    type A = number | bigint;
    // Each parameter is one store: an i32 into the low word of its slot
    // (the high word stays 0: only these stores write the block's i32
    // slots), an i64 into the whole slot. The result word is set to -1
    // first, so that a call abandoned asleep (which leaves it) reads as
    // "not a result" and the import looks at why (abandoned()).
    const w32 = () => this.wasi32;
    const w64 = () => this.wasi64;
    const put: ((a: A) => void)[] = t.map((long, k) =>
      long === 1 ? (a: A) => void (w64()[k] = typeof a === "bigint" ? a : BigInt(a)) : (a: A) => void (w32()[4 + 2 * k] = a as number),
    );
    const [p0, p1, p2, p3, p4, p5, p6, p7, p8] = put;
    const head = (id: A, fn: A) => {
      if (this.mem8.length === 0) this.remap();
      const w = this.wasi32;
      w[0] = id as number;
      w[1] = fn as number;
      w[2] = -1;
      // The i32 slots' high words: zero once per memory view (a view is
      // remade only when the memory grows, which keeps the bytes).
      if (this.wasiClean !== w) {
        for (let k = 0; k < 9; k++) w[5 + 2 * k] = 0;
        this.wasiClean = w;
      }
    };
    const res = () => this.wasi32[2] | 0;
    switch (n) {
      case 0:
        return (id: A, fn: A) => (head(id, fn), call(), res());
      case 1:
        return (id: A, fn: A, a: A) => (head(id, fn), p0(a), call(), res());
      case 2:
        return (id: A, fn: A, a: A, b: A) => (head(id, fn), p0(a), p1(b), call(), res());
      case 3:
        return (id: A, fn: A, a: A, b: A, c: A) => (head(id, fn), p0(a), p1(b), p2(c), call(), res());
      case 4:
        return (id: A, fn: A, a: A, b: A, c: A, d: A) => (head(id, fn), p0(a), p1(b), p2(c), p3(d), call(), res());
      default:
        return (id: A, fn: A, a: A, b: A, c: A, d: A, e?: A, f?: A, g?: A, h?: A, i?: A) => {
          head(id, fn);
          p0(a), p1(b), p2(c), p3(d), p4(e!);
          if (n > 5) p5(f!);
          if (n > 6) p6(g!);
          if (n > 7) p7(h!);
          if (n > 8) p8(i!);
          call();
          return res();
        };
    }
  }

  /**
   * Whether the last WASI call could not finish and was abandoned (its
   * return value is then not one): bridgeError() has the message.
   */
  abandoned(): boolean {
    if (this.mem8.length === 0) this.remap();
    return this.state32[3] === 2;
  }

  /** The message of the last failed call (vfscope_state). */
  bridgeError(): BridgeError {
    if (this.mem8.length === 0) this.remap();
    const st = this.state32;
    st[3] = 0;
    return new BridgeError(textDecoder.decode(this.mem8.subarray(st[1], st[1] + st[2])));
  }

  /** The WASI preview1 functions, in the order CallWASI numbers them. */
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
  constructor(
    private readonly buf: Uint8Array,
    /** @internal A view of all of Go's memory, for decoders that read fields in place (skip gives where). */
    readonly dv: DataView,
    private pos: number,
    private end: number,
    /** Where the response starts: byte strings are aligned from there. */
    private start: number,
  ) {}

  /** @internal The memory view it reads (for reuse by the Runtime). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** @internal Points the reader at the next response in the same memory. */
  reset(start: number, end: number): void {
    this.pos = this.start = start;
    this.end = end;
  }

  /** Bytes of the response not read yet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new BridgeError("vfscope bridge: response shorter than expected");
  }

  /** @internal Skips n bytes of results and returns where they start in dv, for reading them in place. */
  skip(n: number): number {
    this.need(n);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  /**
   * The next operation's errno word: 0 means its results follow;
   * otherwise the errno is in its low 16 bits and, for an operation of
   * several calls (readFile, writeFile), the one that failed in its high
   * 16 (0: the first).
   */
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

  /** The next u32, left unread. */
  peekU32(): number {
    this.need(4);
    return this.dv.getUint32(this.pos, true);
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

  /** Skips the padding of a byte string of n bytes. */
  private data(n: number): void {
    this.pos += dataPad(this.pos - this.start, n);
    this.need(n);
  }

  /** A copy of the next byte string (Go's buffer is reused). */
  bytes(): Uint8Array {
    const n = this.u32();
    this.data(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next byte string, aliasing Go's memory until the next batch. */
  view(): Uint8Array {
    const n = this.u32();
    this.data(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next byte string, decoded as UTF-8. */
  text(): string {
    const v = this.view();
    return v.length === 0 ? "" : textDecoder.decode(v);
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = n === 0 ? "" : textDecoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  /** The next string as a copy of its bytes, not decoded. */
  strBytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

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
  go.argv = ["vfscope.wasm"];
  go.env = {};
  let goMem: WebAssembly.Memory | undefined;
  let goU8 = new Uint8Array(0);
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  let exitedFlag = false;
  const hooks: Hooks = { ready: () => ready(), guests: new Map(), views: new Map(), grown: () => undefined, exited: () => exitedFlag || (go as { exited?: boolean }).exited === true };
  const views = hooks.views;
  // The imports of module "vfscope" (wasm/main.go): plain WebAssembly
  // imports, so a copy costs a function call and one memory copy.
  go.importObject.vfscope = {
    ready: () => hooks.ready(),
    size: (slot: number) => hooks.guests.get(slot)?.buffer.byteLength ?? 0,
    copy: (slot: number, dir: number, addr: number, off: number, n: number): number => {
      addr >>>= 0;
      off >>>= 0;
      n >>>= 0;
      // The views are remade only when a range falls outside them: a
      // grown memory detaches the old view (length 0), and the Memory's
      // buffer getter is not free.
      let gv = views.get(slot);
      if (!gv || off + n > gv.length) {
        const gm = hooks.guests.get(slot);
        if (!gm) return 0;
        views.set(slot, (gv = new Uint8Array(gm.buffer)));
        if (off + n > gv.length) return 0;
      }
      if (addr + n > goU8.length) {
        if (!goMem) return 0;
        goU8 = new Uint8Array(goMem.buffer);
        if (addr + n > goU8.length) return 0;
      }
      if (n <= 32) {
        // Small copies (iovecs, results) without making a view.
        if (dir === 0) for (let i = 0; i < n; i++) goU8[addr + i] = gv[off + i];
        else for (let i = 0; i < n; i++) gv[off + i] = goU8[addr + i];
      } else if (dir === 0) {
        goU8.set(gv.subarray(off, off + n), addr);
      } else {
        gv.set(goU8.subarray(addr, addr + n), off);
      }
      return 1;
    },
  };
  const gojs = go.importObject.gojs as Record<string, (sp: number) => void> | undefined;
  const resetMemoryDataView = gojs?.["runtime.resetMemoryDataView"];
  if (gojs && resetMemoryDataView) {
    gojs["runtime.resetMemoryDataView"] = (sp: number) => {
      resetMemoryDataView(sp);
      hooks.grown();
    };
  }
  const instance = await WebAssembly.instantiate(mod, go.importObject);
  const ex = instance.exports as unknown as BridgeExports;
  goMem = ex.mem;
  const exited = go.run(instance).then(() => {
    exitedFlag = true;
    throw new Error("vfscope.wasm exited");
  });
  exited.catch(() => undefined);
  await Promise.race([started, exited]);
  return new Runtime(ex, hooks);
}
