import type { PathLike } from "./args.js";
import { VFSError } from "./errors.js";
import { decode, encodingOf, options as opts, type Encoding } from "./options.js";
import { Fault, specs, type Data, type OpenFlags, type Spec, type TimeArg, type WriteFileOptions } from "./ops.js";
import { loadRuntime, type Runtime, type WasmSource } from "./runtime.js";
import { Shell } from "./shell.js";
import { DirEntry, Stats } from "./stats.js";
import type { Snapshot, TraceEvent } from "./trace.js";
import { WASI, type WASIOptions } from "./wasi.js";

export interface VFSOptions {
  /**
   * Where vfscope.wasm comes from: a URL or path, its bytes, or a compiled
   * WebAssembly.Module. Default: the vfscope.wasm beside this module,
   * loaded once and shared by every VFS created without this option.
   */
  wasm?: WasmSource;
  /** Turn the lock validator on (every lock checked; slower). Default off. */
  lockdep?: boolean;
  /**
   * Memory budget in bytes: the VFS's MemTotal. Page-cache pages,
   * dentries and inodes count against it; reclaim frees what it can, and
   * a tmpfs gets half of it (Linux's default size=50%): its pages past
   * that fail with ENOSPC (one mounted with size=0, unlimited, meets the
   * budget's ENOMEM). Default: the VFS's (256 MiB). At most 1 GiB (a
   * RangeError past it): every VFS of a runtime shares the Go heap in
   * wasm32's 4 GiB of memory.
   */
  memoryBudget?: number;
  /**
   * Instrument system calls, filesystem method calls and locks, so that
   * subscribers also get sys.*, method.* and lock.* events. Default off
   * (dentry, inode, page, writeback and mount events are always there
   * for subscribers).
   */
  trace?: boolean;
}

/**
 * The largest memoryBudget (wasm/bridge's MaxMemoryBudget): every VFS of
 * a runtime shares one Go heap in wasm32's 4 GiB, and a larger budget
 * would let one VFS's page cache fill it, which ends Go and every VFS.
 */
const MAX_MEMORY_BUDGET = 1 << 30;

/** The largest ring subscribe() takes (wasm/bridge/trace.go). */
const MAX_RING = 1 << 22;

/** Options of subscribe(). */
export interface SubscribeOptions {
  /**
   * Events the Go side keeps between deliveries (default 16384, 0 for the
   * default, at most 2^22: a RangeError past it); past it they are
   * dropped and a "lost" event says how many.
   */
  ring?: number;
  /** Also deliver every intervalMs milliseconds (events of background work such as writeback); default 250, 0 for never. */
  intervalMs?: number;
}

/** The outcome of one operation of a batch. */
export type BatchResult<T = unknown> = { ok: true; value: T } | { ok: false; error: VFSError };

/**
 * A VFS booted as Linux's init finds one: a tmpfs root, /tmp, proc on
 * /proc, the mem devices on /dev; every call acts as root (uid 0) in a
 * task of its own. Calls are synchronous: each is one crossing into the
 * Go side. To make many calls in one crossing, use batch().
 */
export class VFS {
  private closed = false;
  // The trace subscription shared by every subscribe() callback.
  private listener = 0;
  private readonly subscribers = new Set<(events: TraceEvent[]) => void>();
  private deliveryQueued = false;
  /** @internal The WASI guests not yet closed (wasi.ts adds and removes them): dispose() closes them. */
  readonly guests = new Set<{ close(): void }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  // delivering is set while flushEvents calls the subscribers: a
  // flushEvents from inside one only sets pending, and the delivering
  // loop fetches and delivers the next batch after this one has reached
  // every subscriber, so that each sees the batches in order.
  private delivering = false;
  private pending = false;

  /** @internal Use createVFS. */
  constructor(
    /** @internal */ readonly runtime: Runtime,
    /** @internal */ readonly id: number,
  ) {}

  /** @internal Turns an errno into a VFSError. */
  error(errno: number, syscall: string, path?: string, dest?: string): VFSError {
    const e = this.runtime.errnos.get(errno);
    return new VFSError(errno, e?.name ?? `E${errno}`, e?.text ?? `Unknown error ${errno}`, syscall, path, dest);
  }

  /**
   * @internal The VFSError of an errno word: the errno in its low 16
   * bits, and for an operation of several calls the step that failed in
   * its high 16.
   */
  failure(s: Spec<unknown>, word: number): VFSError {
    const errno = word & 0xffff;
    const step = word >>> 16;
    return this.error(errno, s.calls?.[step] ?? s.syscallOf?.(errno) ?? s.syscall, s.paths?.[step] ?? s.path, s.dest);
  }

  /** @internal Whether dispose() has run. */
  get disposed(): boolean {
    return this.closed;
  }

  /** @internal Runs one operation; throws its VFSError. */
  one<T>(s: Spec<T>): T {
    if (this.closed) throw new Error("vfscope: this VFS is closed");
    const rt = this.runtime;
    rt.begin();
    try {
      rt.opName(s.op, this.id);
      s.enc(rt);
    } catch (e) {
      rt.cancel();
      throw e;
    }
    const r = rt.exec();
    if (this.listener) this.noteActivity();
    const word = r.errno();
    if (word !== 0) {
      if (s.orElse !== undefined) return s.orElse.value;
      throw this.failure(s as Spec<unknown>, word);
    }
    try {
      return s.dec(r);
    } catch (e) {
      if (e instanceof Fault) throw this.error(e.errno, s.syscall, s.path, s.dest);
      throw e;
    }
  }

  /** @internal Schedules a delivery of events after the current JavaScript task's calls. */
  noteActivity(): void {
    if (this.deliveryQueued || !this.listener) return;
    if (this.delivering) {
      // A subscriber's own calls: their events wait for the interval, or
      // with none for a macrotask. A microtask would run before anything
      // else could, and a subscriber that calls the VFS at each delivery
      // would then keep the event loop from ever reaching its timers and
      // I/O. The timeout is unref'd as the interval is: a subscriber's own
      // events do not keep the process alive.
      if (this.timer !== undefined) return;
      this.deliveryQueued = true;
      const t = setTimeout(() => {
        this.deliveryQueued = false;
        this.flushEvents();
      }, 0);
      (t as { unref?: () => void }).unref?.();
      return;
    }
    this.deliveryQueued = true;
    queueMicrotask(() => {
      this.deliveryQueued = false;
      this.flushEvents();
    });
  }

  /**
   * Calls onEvents with the VFS's trace events (docs/trace-schema.md) in
   * order, in batches: after the calls of each JavaScript task, every
   * intervalMs, and on flushEvents(). A "lost" event means some were
   * dropped (the subscriber fell behind): take a snapshot() and apply
   * only later events. Returns the function that unsubscribes.
   */
  subscribe(onEvents: (events: TraceEvent[]) => void, options: SubscribeOptions = {}): () => void {
    if (this.closed) throw new Error("vfscope: this VFS is closed");
    const ring = options.ring ?? 0;
    if (!Number.isSafeInteger(ring) || ring < 0 || ring > MAX_RING) {
      throw new RangeError(`subscribe: ring must be an integer from 0 (the default size) to ${MAX_RING}, not ${String(ring)}`);
    }
    const every = options.intervalMs ?? 250;
    if (typeof every !== "number" || !Number.isFinite(every) || every < 0) {
      throw new RangeError(`subscribe: intervalMs must be a finite number of milliseconds, 0 for never, not ${String(every)}`);
    }
    if (!this.listener) {
      this.listener = this.one({ op: "subscribe", syscall: "subscribe", enc: (rt) => rt.num(ring), dec: (r) => r.num() });
      if (every > 0) {
        this.timer = setInterval(() => this.flushEvents(), every);
        (this.timer as { unref?: () => void }).unref?.();
      }
    }
    this.subscribers.add(onEvents);
    return () => {
      this.subscribers.delete(onEvents);
      if (this.subscribers.size === 0) this.stopListening();
    };
  }

  private stopListening(): void {
    if (!this.listener) return;
    const id = this.listener;
    this.listener = 0;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.closed) this.one({ op: "unsubscribe", syscall: "unsubscribe", enc: (rt) => rt.num(id), dec: () => undefined });
  }

  /** Delivers the events waiting now to the subscribers, synchronously. */
  flushEvents(): void {
    if (this.delivering) {
      // Called by a subscriber: the loop below delivers what is waiting
      // once the batch it is delivering has reached every subscriber.
      this.pending = true;
      return;
    }
    this.delivering = true;
    try {
      do {
        this.pending = false;
        this.deliverOnce();
      } while (this.pending);
    } finally {
      this.delivering = false;
      this.pending = false;
    }
  }

  private deliverOnce(): void {
    if (!this.listener || this.closed) return;
    const id = this.listener;
    const rt = this.runtime;
    rt.begin();
    rt.opName("events", 0);
    rt.num(id);
    rt.num(0);
    const r = rt.exec();
    if (r.errno() !== 0) return;
    const events = JSON.parse(r.text()) as TraceEvent[];
    if (events.length === 0) return;
    for (const cb of [...this.subscribers]) {
      try {
        cb(events);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  /** The whole state of the VFS now (dentries, inodes, pages, locks, mounts, counters). */
  snapshot(): Snapshot {
    return JSON.parse(this.one({ op: "snapshot", syscall: "snapshot", enc: () => undefined, dec: (r) => r.text() })) as Snapshot;
  }

  /** open(2): returns a descriptor. flags: O_* bits or "r", "w", "a+"... */
  open(path: PathLike, flags: OpenFlags = "r", mode = 0o666): number {
    return this.one(specs.open(path, flags, mode));
  }
  close(fd: number): void {
    this.one(specs.close(fd));
  }
  /**
   * read(2) of up to length bytes at the file position. Memory is taken
   * as data arrives, not by length: a length past the end of a file costs
   * nothing. A regular file is read up to length (at most 2^30, EINVAL
   * past it); any other file (a device, procfs) returns at most 1 MiB per
   * call, a short read as read(2) allows. length and fd must be safe
   * integers (TypeError, or RangeError past 2^53).
   */
  read(fd: number, length: number): Uint8Array {
    return this.one(specs.read(fd, length));
  }
  /** pread(2) of up to length bytes at position; memory and limits as read(). */
  pread(fd: number, length: number, position: number): Uint8Array {
    return this.one(specs.pread(fd, length, position));
  }
  /**
   * read(2) into buffer (up to its length) at the file position, without
   * allocating: returns the number of bytes read, 0 at end of file.
   */
  readInto(fd: number, buffer: Uint8Array): number {
    return this.one(specs.readInto(fd, buffer));
  }
  /** pread(2) into buffer (up to its length) at position: returns the number of bytes read. */
  preadInto(fd: number, buffer: Uint8Array, position: number): number {
    return this.one(specs.preadInto(fd, buffer, position));
  }
  /** write(2): returns the number of bytes written. */
  write(fd: number, data: Data): number {
    return this.one(specs.write(fd, data));
  }
  pwrite(fd: number, data: Data, position: number): number {
    return this.one(specs.pwrite(fd, data, position));
  }
  /**
   * lseek(2): whence is SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or
   * SEEK_HOLE. A position of 2^53 or more, which a number cannot hold
   * exactly, fails with EOVERFLOW (the position has moved), as stat of a
   * file that large does.
   */
  seek(fd: number, offset: number, whence = 0): number {
    return this.one(specs.seek(fd, offset, whence));
  }
  /** stat(2). options as Node's statSync's; bigint and throwIfNoEntry: false are a TypeError. */
  stat(path: PathLike, options?: StatOptions | null): Stats {
    return this.one(calls.stat(path, options));
  }
  lstat(path: PathLike, options?: StatOptions | null): Stats {
    return this.one(calls.lstat(path, options));
  }
  fstat(fd: number): Stats {
    return this.one(specs.fstat(fd));
  }
  /**
   * The names in a directory, in the filesystem's order, without "." and
   * "..". Names are decoded as UTF-8, bytes that are not shown as U+FFFD;
   * with `encoding: "buffer"` each is its bytes, as Node's fs gives them,
   * and can be passed back as a path.
   */
  readdir(path: PathLike, options?: { withFileTypes?: false; encoding?: TextEncoding } | TextEncoding | null): string[];
  readdir(path: PathLike, options: { withFileTypes: true; encoding?: "utf8" | "utf-8" }): DirEntry[];
  readdir(path: PathLike, options: { withFileTypes?: false; encoding: "buffer" } | "buffer"): Uint8Array[];
  readdir(path: PathLike, options?: { withFileTypes?: boolean; encoding?: "utf8" | "utf-8" }): string[] | DirEntry[];
  readdir(path: PathLike, options?: ReaddirOptions | Encoding | null): string[] | DirEntry[] | Uint8Array[];
  readdir(path: PathLike, options?: ReaddirOptions | Encoding | null): string[] | DirEntry[] | Uint8Array[] {
    return this.one(calls.readdir(path, options));
  }
  /** mkdir(2): mode, or Node's { mode } (recursive: true is a TypeError). */
  mkdir(path: PathLike, mode?: MkdirMode): void {
    this.one(calls.mkdir(path, mode));
  }
  /** rmdir(2). options as Node's rmdirSync's; recursive: true is a TypeError. */
  rmdir(path: PathLike, options?: { recursive?: boolean } | null): void {
    this.one(calls.rmdir(path, options));
  }
  unlink(path: PathLike): void {
    this.one(specs.unlink(path));
  }
  /** renameat2(2): flags RENAME_NOREPLACE, RENAME_EXCHANGE or 0. */
  rename(oldPath: PathLike, newPath: PathLike, flags = 0): void {
    this.one(specs.rename(oldPath, newPath, flags));
  }
  link(existingPath: PathLike, newPath: PathLike): void {
    this.one(specs.link(existingPath, newPath));
  }
  symlink(target: PathLike, path: PathLike): void {
    this.one(specs.symlink(target, path));
  }
  /** readlink(2): the target as UTF-8, or with `encoding: "buffer"` as its bytes. */
  readlink(path: PathLike, options?: { encoding?: TextEncoding } | TextEncoding | null): string;
  readlink(path: PathLike, options: { encoding: "buffer" } | "buffer"): Uint8Array;
  readlink(path: PathLike, options?: { encoding?: Encoding } | Encoding | null): string | Uint8Array;
  readlink(path: PathLike, options?: { encoding?: Encoding } | Encoding | null): string | Uint8Array {
    return this.one(calls.readlink(path, options));
  }
  chmod(path: PathLike, mode: number): void {
    this.one(specs.chmod(path, mode));
  }
  chown(path: PathLike, uid: number, gid: number): void {
    this.one(specs.chown(path, uid, gid));
  }
  lchown(path: PathLike, uid: number, gid: number): void {
    this.one(specs.lchown(path, uid, gid));
  }
  truncate(path: PathLike, length = 0): void {
    this.one(specs.truncate(path, length));
  }
  ftruncate(fd: number, length = 0): void {
    this.one(specs.ftruncate(fd, length));
  }
  /** mount(2): mount("none", "/mnt", "tmpfs", 0, "size=1m"). */
  mount(source: string, target: PathLike, fstype: string, flags = 0, data = ""): void {
    this.one(specs.mount(source, target, fstype, flags, data));
  }
  /** umount2(2): flags MNT_DETACH, MNT_FORCE... */
  umount(target: PathLike, flags = 0): void {
    this.one(specs.umount(target, flags));
  }
  /**
   * The whole file, in one crossing: read to the size it reported, or
   * until a read returns 0 (never just to a short read). With
   * "utf8", decoded as text. A file over 1 GiB fails with EFBIG from
   * "read" before anything is read (Node's readFileSync throws
   * ERR_FS_FILE_TOO_LARGE past 2 GiB), as does one that reports no size
   * (/dev/zero) past 8 MiB.
   */
  readFile(path: PathLike, options?: { encoding?: null; flag?: "r" } | null): Uint8Array;
  readFile(path: PathLike, options: { encoding: TextEncoding; flag?: "r" } | TextEncoding): string;
  readFile(path: PathLike, options?: { encoding?: TextEncoding | null; flag?: "r" } | TextEncoding | null): Uint8Array | string;
  readFile(path: PathLike, options?: { encoding?: TextEncoding | null; flag?: "r" } | TextEncoding | null): Uint8Array | string {
    return this.one(calls.readFile(path, options));
  }
  /** Creates or replaces (or with append, extends) a file, in one crossing. */
  writeFile(path: PathLike, data: Data, options?: WriteFileOptions | Encoding | null): void {
    this.one(specs.writeFile(path, data, options));
  }
  appendFile(path: PathLike, data: Data, options?: Omit<WriteFileOptions, "append"> | Encoding | null): void {
    this.one(calls.appendFile(path, data, options));
  }
  fsync(fd: number): void {
    this.one(specs.fsync(fd));
  }
  sync(): void {
    this.one(specs.sync());
  }
  /** access(2): mode F_OK, or R_OK | W_OK | X_OK. */
  access(path: PathLike, mode = 0): void {
    this.one(specs.access(path, mode));
  }
  /** Whether path exists (stat succeeds). */
  exists(path: PathLike): boolean {
    return this.one(calls.exists(path));
  }
  /** The working directory of this VFS's task (relative paths start there). */
  chdir(path: PathLike): void {
    this.one(specs.chdir(path));
  }
  getcwd(): string {
    return this.one(specs.getcwd());
  }
  /** utimensat(2). Times: Date, milliseconds, bigint nanoseconds, "now" or "omit". */
  utimes(path: PathLike, atime: TimeArg, mtime: TimeArg, flags = 0): void {
    this.one(specs.utimes(path, atime, mtime, flags));
  }

  /** A batch: queue calls, then run() them all in one crossing. */
  batch(): Batch {
    return new Batch(this);
  }

  /** A shell session (host/shell: ls, cat, mkdir, mount, stat...) with a task of its own. */
  shell(): Shell {
    return Shell.create(this);
  }

  /**
   * WASI preview1 imports backed by this VFS (the Go ABI of host/wasi):
   * instantiate a guest with `wasi.imports`, then `wasi.start(instance)`.
   * With `options.shell` the guest runs as that shell's user (its
   * credentials and umask); without, as root.
   */
  wasiImports(options: WASIOptions = {}): WASI {
    return WASI.create(this, options);
  }

  /**
   * Releases the VFS: its shells, guests and descriptors end, its
   * filesystems are unmounted and their pages go back to the runtime's
   * pool for the next VFS (as a mount namespace's memory does when its
   * last process exits). Later calls throw.
   */
  dispose(): void {
    if (this.closed) return;
    this.stopListening();
    try {
      this.one({ op: "vfsClose", syscall: "close", enc: () => undefined, dec: () => undefined });
    } finally {
      this.closed = true;
      // The guests' memories are released with the VFS that ran them:
      // their close() (after dispose it only releases) forgets each.
      for (const g of [...this.guests]) g.close();
    }
  }
}

/** A text encoding of data or names (options.ts converts them); undefined is bytes for data, UTF-8 for names. */
export type TextEncoding = Exclude<Encoding, "buffer">;

/** Options of readdir(), as Node's fs.readdirSync takes them (recursive: true is a TypeError). */
export interface ReaddirOptions {
  withFileTypes?: boolean;
  encoding?: Encoding | null;
  recursive?: false;
}

/** Options of stat() and lstat(), as Node's statSync takes them (those it can do). */
export interface StatOptions {
  bigint?: false;
  throwIfNoEntry?: true;
}

const statUnsupported = { bigint: false, throwIfNoEntry: true };

type Method<K extends keyof typeof specs> = (...args: Parameters<(typeof specs)[K]>) => Batch;
type Call<K extends keyof typeof calls> = (...args: Parameters<(typeof calls)[K]>) => Batch;

/** mkdir's mode: a number, or Node's { mode } (recursive: true is a TypeError). */
export type MkdirMode = number | { mode?: number; recursive?: boolean } | null;

/** A spec whose value is f of the one s decodes. */
function mapSpec<A, B>(s: Spec<A>, f: (a: A) => B): Spec<B> {
  const dec = s.dec;
  return { ...s, orElse: undefined, dec: (r) => f(dec(r)) };
}

/**
 * The calls that take Node-style options, as specs: VFS runs each as a
 * batch of one and Batch queues it, so both take the same options the
 * same way and give the same values.
 */
const calls = {
  stat(path: PathLike, options?: StatOptions | null): Spec<Stats> {
    opts("stat", options, statUnsupported);
    return specs.stat(path);
  },
  lstat(path: PathLike, options?: StatOptions | null): Spec<Stats> {
    opts("lstat", options, statUnsupported);
    return specs.lstat(path);
  },
  readdir(path: PathLike, options?: ReaddirOptions | Encoding | null): Spec<string[] | DirEntry[] | Uint8Array[]> {
    const o = opts("readdir", options, { recursive: false });
    const enc = encodingOf("readdir", o);
    if (o.withFileTypes) {
      if (enc !== undefined && enc !== "utf8") throw new TypeError(`readdir: withFileTypes with encoding ${JSON.stringify(enc)} is not supported`);
      return specs.readdir(path);
    }
    if (enc === undefined || enc === "utf8") return specs.readdirNames(path);
    const raw = specs.readdirRaw(path);
    return enc === "buffer" ? raw : mapSpec(raw, (names) => names.map((n) => decode(n, enc)));
  },
  mkdir(path: PathLike, mode: MkdirMode = 0o777): Spec<void> {
    if (typeof mode === "object") mode = (opts("mkdir", mode, { recursive: false }).mode as number | undefined) ?? 0o777;
    return specs.mkdir(path, mode);
  },
  rmdir(path: PathLike, options?: { recursive?: boolean } | null): Spec<void> {
    opts("rmdir", options, { recursive: false });
    return specs.rmdir(path);
  },
  readlink(path: PathLike, options?: { encoding?: Encoding } | Encoding | null): Spec<string | Uint8Array> {
    const enc = encodingOf("readlink", opts("readlink", options));
    if (enc === undefined || enc === "utf8") return specs.readlink(path);
    const raw = specs.readlinkRaw(path);
    return enc === "buffer" ? raw : mapSpec(raw, (b) => decode(b, enc));
  },
  readFile(path: PathLike, options?: { encoding?: TextEncoding | null; flag?: "r" } | TextEncoding | null): Spec<Uint8Array | string> {
    // Node's flag defaults to "r"; any other (creating, writing) is not done here.
    const enc = encodingOf("readFile", opts("readFile", options, { flag: "r" }));
    // Node's readFileSync fails "buffer" too (ERR_UNKNOWN_ENCODING): bytes are no encoding.
    if (enc === "buffer") throw new TypeError('readFile: encoding "buffer" is not supported: leave it out for bytes');
    if (enc === "utf8") return specs.readTextFile(path);
    const b = specs.readFile(path);
    return enc === undefined ? b : mapSpec(b, (bytes) => decode(bytes, enc));
  },
  appendFile(path: PathLike, data: Data, options?: Omit<WriteFileOptions, "append"> | Encoding | null): Spec<void> {
    const o = typeof options === "string" ? { encoding: options } : (options ?? {});
    return specs.writeFile(path, data, { ...o, append: true });
  },
  /** Whether path exists: stat succeeds (any errno is false). */
  exists(path: PathLike): Spec<boolean> {
    const s = specs.stat(path);
    return { ...mapSpec(s, () => true), orElse: { value: false } };
  },
};

/**
 * Batch queues operations (the same ones as VFS, by the same names) and
 * runs them in one crossing. A failing operation does not stop the batch;
 * its result holds the VFSError.
 *
 *   const [a, b] = vfs.batch().mkdir("/d").writeFile("/d/f", "hi").run();
 */
export class Batch {
  private readonly queue: Spec<unknown>[] = [];

  constructor(private readonly vfs: VFS) {}

  add<T>(s: Spec<T>): this {
    this.queue.push(s as Spec<unknown>);
    return this;
  }

  get length(): number {
    return this.queue.length;
  }

  /**
   * Runs every queued operation, in order, and empties the batch. An
   * argument found bad only here (a path that is neither a string nor a
   * Uint8Array, a string with a lone surrogate) throws before anything
   * runs: that operation leaves the batch, the others stay queued for
   * the next run(). (Most bad arguments throw earlier, at the call that
   * queues them, which then queues nothing.)
   */
  run(): BatchResult[] {
    if (this.vfs.disposed) throw new Error("vfscope: this VFS is closed");
    const rt = this.vfs.runtime;
    const queued = this.queue;
    rt.begin();
    for (let i = 0; i < queued.length; i++) {
      try {
        rt.opName(queued[i].op, this.vfs.id);
        queued[i].enc(rt);
      } catch (err) {
        rt.cancel();
        queued.splice(i, 1);
        throw err;
      }
    }
    const q = queued.splice(0);
    const r = rt.exec();
    this.vfs.noteActivity();
    // Each result is read in turn, whatever the ones before it were:
    // every operation ran, so none of their results may be lost (a
    // decoder that cannot deliver its result, a readInto whose buffer
    // was detached since, fails with a Fault after reading past it).
    return q.map((s): BatchResult => {
      const word = r.errno();
      if (word !== 0) {
        if (s.orElse !== undefined) return { ok: true, value: s.orElse.value };
        return { ok: false, error: this.vfs.failure(s, word) };
      }
      try {
        return { ok: true, value: s.dec(r) };
      } catch (e) {
        if (e instanceof Fault) return { ok: false, error: this.vfs.error(e.errno, s.syscall, s.path, s.dest) };
        throw e;
      }
    });
  }

  /** Like run(), but throws the first error, and returns the values. */
  runOrThrow(): unknown[] {
    return this.run().map((r) => {
      if (!r.ok) throw r.error;
      return r.value;
    });
  }

  open: Method<"open"> = (...a) => this.add(specs.open(...a));
  close: Method<"close"> = (...a) => this.add(specs.close(...a));
  read: Method<"read"> = (...a) => this.add(specs.read(...a));
  pread: Method<"pread"> = (...a) => this.add(specs.pread(...a));
  readInto: Method<"readInto"> = (...a) => this.add(specs.readInto(...a));
  preadInto: Method<"preadInto"> = (...a) => this.add(specs.preadInto(...a));
  write: Method<"write"> = (...a) => this.add(specs.write(...a));
  pwrite: Method<"pwrite"> = (...a) => this.add(specs.pwrite(...a));
  seek: Method<"seek"> = (...a) => this.add(specs.seek(...a));
  stat: Call<"stat"> = (...a) => this.add(calls.stat(...a));
  lstat: Call<"lstat"> = (...a) => this.add(calls.lstat(...a));
  fstat: Method<"fstat"> = (...a) => this.add(specs.fstat(...a));
  readdir: Call<"readdir"> = (...a) => this.add(calls.readdir(...a));
  mkdir: Call<"mkdir"> = (...a) => this.add(calls.mkdir(...a));
  rmdir: Call<"rmdir"> = (...a) => this.add(calls.rmdir(...a));
  unlink: Method<"unlink"> = (...a) => this.add(specs.unlink(...a));
  rename: Method<"rename"> = (...a) => this.add(specs.rename(...a));
  link: Method<"link"> = (...a) => this.add(specs.link(...a));
  symlink: Method<"symlink"> = (...a) => this.add(specs.symlink(...a));
  readlink: Call<"readlink"> = (...a) => this.add(calls.readlink(...a));
  chmod: Method<"chmod"> = (...a) => this.add(specs.chmod(...a));
  chown: Method<"chown"> = (...a) => this.add(specs.chown(...a));
  lchown: Method<"lchown"> = (...a) => this.add(specs.lchown(...a));
  truncate: Method<"truncate"> = (...a) => this.add(specs.truncate(...a));
  ftruncate: Method<"ftruncate"> = (...a) => this.add(specs.ftruncate(...a));
  mount: Method<"mount"> = (...a) => this.add(specs.mount(...a));
  umount: Method<"umount"> = (...a) => this.add(specs.umount(...a));
  readFile: Call<"readFile"> = (...a) => this.add(calls.readFile(...a));
  writeFile: Method<"writeFile"> = (...a) => this.add(specs.writeFile(...a));
  appendFile: Call<"appendFile"> = (...a) => this.add(calls.appendFile(...a));
  exists: Call<"exists"> = (...a) => this.add(calls.exists(...a));
  fsync: Method<"fsync"> = (...a) => this.add(specs.fsync(...a));
  sync: Method<"sync"> = (...a) => this.add(specs.sync(...a));
  access: Method<"access"> = (...a) => this.add(specs.access(...a));
  chdir: Method<"chdir"> = (...a) => this.add(specs.chdir(...a));
  getcwd: Method<"getcwd"> = (...a) => this.add(specs.getcwd(...a));
  utimes: Method<"utimes"> = (...a) => this.add(specs.utimes(...a));
}

/** Boots a VFS in vfscope.wasm (loading it on first use). */
export async function createVFS(options: VFSOptions = {}): Promise<VFS> {
  const budget = options.memoryBudget ?? 0;
  if (!Number.isSafeInteger(budget) || budget < 0 || budget > MAX_MEMORY_BUDGET) {
    throw new RangeError(`memoryBudget must be an integer from 0 (the default) to ${MAX_MEMORY_BUDGET} (1 GiB), not ${String(budget)}`);
  }
  const rt = await loadRuntime(options.wasm);
  rt.begin();
  rt.opName("vfsNew", 0);
  rt.num(options.lockdep ? 1 : 0);
  rt.num(budget);
  rt.num(options.trace ? 1 : 0);
  const r = rt.exec();
  const errno = r.errno();
  if (errno !== 0) {
    const e = rt.errnos.get(errno);
    throw new VFSError(errno, e?.name ?? `E${errno}`, e?.text ?? "", "mount");
  }
  return new VFS(rt, r.num());
}
