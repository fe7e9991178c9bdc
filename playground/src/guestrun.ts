// Running a WASI guest without taking the page from its user. A guest's
// _start is one call into WebAssembly: on its own it would hold the
// page's only thread until it returns, so a guest that never ends (cat
// /dev/zero) would wedge the tab for good and no ^C could reach it.
//
// With JavaScript Promise Integration (WebAssembly.Suspending and
// .promising) every WASI import of the guest may suspend it: after
// YIELD_MS of running, the next import call first lets the page run
// (draw, take keys), and while the terminal has more output queued than
// it has drawn the guest waits, as a writer to a tty whose output queue
// is full sleeps in n_tty_write. ^C (interrupt()) makes the guest's next
// import call end it, as the SIGINT the tty's line discipline sends
// (n_tty_receive_signal_char) ends a program that does not catch it: the
// line's status is 128 + SIGINT.
//
// A browser without JSPI cannot let the page run while the guest does;
// there the guest is stopped at its first import call past
// CPU_LIMIT_MS, as RLIMIT_CPU's SIGXCPU would stop it (RATIONALE.md).
//
// The fds a command line redirected to files are the VFS's own open
// files (writeFd): the guest's fd_write on them writes through the VFS
// as it happens, and its errors (ENOSPC once a tmpfs's budget is full)
// reach the guest as WASI errnos, as write(2)'s reach a Linux program.

/** 128 + SIGINT: the status of a command ^C ended. */
export const SIGINT_STATUS = 130;
/** 128 + SIGXCPU: the status of a guest stopped at its CPU time limit. */
export const SIGXCPU_STATUS = 152;
/** How long a guest runs between two turns of the page's event loop (JSPI). */
export const YIELD_MS = 25;
/** Without JSPI: how long a guest may hold the page before it is stopped. */
export const CPU_LIMIT_MS = 10_000;

/** Thrown through the guest's frames when it is ended from outside (^C, its CPU limit). */
export class GuestKilled extends Error {
  constructor(readonly status: number, readonly why: string) {
    super(why);
    this.name = 'GuestKilled';
  }
}

/** Whether this browser has JavaScript Promise Integration. */
export function hasJSPI(): boolean {
  const W = WebAssembly as unknown as { Suspending?: unknown; promising?: unknown };
  return typeof W.Suspending === 'function' && typeof W.promising === 'function';
}

/**
 * Linux errno (VFSError.errno) -> WASI preview1 errno, for the errors
 * write(2) returns on a file (host/wasi/errno.go has the whole table);
 * anything else is EIO, as there.
 */
const WASI_ERRNO: Record<number, number> = {
  1: 63, // EPERM
  4: 27, // EINTR
  5: 29, // EIO
  9: 8, // EBADF
  11: 6, // EAGAIN
  12: 48, // ENOMEM
  13: 2, // EACCES
  21: 31, // EISDIR
  22: 28, // EINVAL
  27: 22, // EFBIG
  28: 51, // ENOSPC
  30: 69, // EROFS
  32: 64, // EPIPE
  122: 19, // EDQUOT
};
const WASI_EIO = 29;

export function wasiErrno(linux: number): number {
  return WASI_ERRNO[linux] ?? WASI_EIO;
}

/** A redirected fd's writer: the bytes written, or a VFSError-like { errno }. */
export type FdWriter = (data: Uint8Array) => number;

type Imports = { wasi_snapshot_preview1: Record<string, (...args: never[]) => unknown> };

export interface RunnerOptions {
  /** Whether to suspend the guest (JSPI); default: whether the browser can. */
  jspi?: boolean;
  /** What the guest waits for before it runs on (the terminal's drawing), when anything. */
  backlog?: () => Promise<void> | undefined;
  /** The time source (tests). */
  now?: () => number;
  cpuLimitMs?: number;
}

/** One guest's run: its imports wrapped, its interrupt, its redirected fds. */
export class GuestRunner {
  readonly jspi: boolean;
  private interrupted = false;
  private readonly now: () => number;
  private readonly started: number;
  private lastYield: number;
  private memory?: WebAssembly.Memory;
  /** fd -> writer, for fds a redirection sent to a VFS file. */
  readonly files = new Map<number, FdWriter>();

  constructor(private readonly o: RunnerOptions = {}) {
    this.jspi = o.jspi ?? hasJSPI();
    this.now = o.now ?? (() => performance.now());
    this.started = this.lastYield = this.now();
  }

  /** ^C: the guest's next WASI call ends it with status 130. */
  interrupt(): void { this.interrupted = true; }

  /** Throws GuestKilled if the guest must end now. */
  private check(): void {
    if (this.interrupted) throw new GuestKilled(SIGINT_STATUS, '');
    if (!this.jspi && this.now() - this.started > (this.o.cpuLimitMs ?? CPU_LIMIT_MS)) {
      throw new GuestKilled(SIGXCPU_STATUS,
        `CPU time limit exceeded (this browser cannot let the page run beside a guest: stopped after ${(this.o.cpuLimitMs ?? CPU_LIMIT_MS) / 1000} s)`);
    }
  }

  /** A promise when the guest should let the page run before this call. */
  private pause(): Promise<void> | undefined {
    if (!this.jspi) return undefined;
    const backlog = this.o.backlog?.();
    if (backlog) return backlog;
    const t = this.now();
    if (t - this.lastYield < YIELD_MS) return undefined;
    return new Promise((r) => setTimeout(() => { this.lastYield = this.now(); r(); }, 0));
  }

  /**
   * The import object to instantiate the guest with: each function
   * checks for ^C first, may let the page run (JSPI), and fd_write on a
   * redirected fd writes to its VFS file.
   */
  wrap(imports: Imports): WebAssembly.Imports {
    const mod: Record<string, unknown> = {};
    for (const [name, f0] of Object.entries(imports.wasi_snapshot_preview1)) {
      const f = (name === 'fd_write' ? this.fdWrite(f0 as unknown as (...a: number[]) => number) : f0) as unknown as (...a: unknown[]) => unknown;
      const call = (...args: unknown[]): unknown => {
        this.check();
        const p = this.pause();
        if (!p) return f(...args);
        return p.then(() => { this.check(); return f(...args); });
      };
      const W = WebAssembly as unknown as { Suspending: new (f: unknown) => unknown };
      mod[name] = this.jspi ? new W.Suspending(call) : call;
    }
    return { wasi_snapshot_preview1: mod } as WebAssembly.Imports;
  }

  /** fd_write with the redirected fds written here, the others by the VFS's ABI. */
  private fdWrite(orig: (...a: number[]) => number): (...a: number[]) => number {
    return (fd: number, iovs: number, n: number, nwritten: number) => {
      const w = this.files.get(fd);
      if (!w || !this.memory) return orig(fd, iovs, n, nwritten);
      const buf = this.memory.buffer;
      const dv = new DataView(buf);
      if (n > 1024) return 28; // EINVAL: past IOV_MAX, as the ABI
      const parts: Uint8Array[] = [];
      let total = 0;
      try {
        for (let i = 0; i < n; i++) {
          const ptr = dv.getUint32(iovs + 8 * i, true);
          const len = dv.getUint32(iovs + 8 * i + 4, true);
          if (ptr + len > buf.byteLength) return 21; // EFAULT
          parts.push(new Uint8Array(buf, ptr, len));
          total += len;
        }
      } catch {
        return 21; // EFAULT: the iovec array is outside memory
      }
      const data = new Uint8Array(total);
      let off = 0;
      for (const p of parts) { data.set(p, off); off += p.length; }
      let done: number;
      try {
        done = total ? w(data) : 0;
      } catch (e) {
        const errno = (e as { errno?: unknown }).errno;
        if (typeof errno !== 'number') throw e;
        return wasiErrno(errno);
      }
      if (nwritten + 4 > this.memory.buffer.byteLength) return 21;
      new DataView(this.memory.buffer).setUint32(nwritten, done, true);
      return 0;
    };
  }

  /**
   * Runs the guest's _start (suspendable under JSPI) after attach (the
   * library's WASI.attach, which hands it the guest's memory). Resolves
   * when it returns; rejects with what it threw (WASIExit, GuestKilled).
   */
  async start(instance: WebAssembly.Instance, attach: (i: WebAssembly.Instance) => void): Promise<void> {
    const ex = instance.exports as { _start?: unknown; memory?: unknown };
    if (typeof ex._start !== 'function') throw new TypeError('the guest exports no _start');
    if (ex.memory instanceof WebAssembly.Memory) this.memory = ex.memory;
    attach(instance);
    this.lastYield = this.now();
    if (this.jspi) {
      const W = WebAssembly as unknown as { promising: (f: unknown) => () => Promise<unknown> };
      await W.promising(ex._start)();
    } else {
      (ex._start as () => void)();
    }
  }
}
