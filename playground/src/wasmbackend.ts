// The in-browser backend: vfscope.wasm (the GOOS=js build) through the
// npm library @vfscope/web, booted with the lock validator and the trace
// instrumentation on, so the lock views have lock.* and method.* events
// to show. restart() boots a fresh VFS in its place (a lesson that needs
// a small memory budget does), and moves the subscribers onto it.

import { createVFS, wasiImports, WASIExit, O_APPEND, O_WRONLY, type ShellCommand, type ShellSplit, type VFS } from '@vfscope/web';
import type { Backend, RunResult } from './backend';
import { runGuestLine, type GuestIO } from './guestline';
import { GuestKilled, GuestRunner } from './guestrun';
import type { Snapshot, TraceEvent } from './schema';

/**
 * Events the Go side keeps between deliveries. A shell command runs in
 * one call, and its events wait there until it returns: copying 1 MiB
 * through a small budget makes about 16,000 (each page read, dirtied,
 * written back and reclaimed, with the locks around each), past the
 * library's default ring.
 */
const RING = 1 << 17;

type Listener = (events: TraceEvent[], lost: boolean) => void;

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly writable = true;
  readonly name = 'in-browser VFS';
  private sh: ReturnType<VFS['shell']>;
  private readonly listeners = new Map<Listener, () => void>();

  private constructor(public vfs: VFS, private budget: number | undefined) {
    this.sh = vfs.shell();
  }

  /** Boots a VFS in the vfscope.wasm that the library ships (bundled beside the app). */
  static async boot(memoryBudget?: number): Promise<WasmBackend> {
    return new WasmBackend(await WasmBackend.create(memoryBudget), memoryBudget);
  }

  private static create(memoryBudget: number | undefined): Promise<VFS> {
    return createVFS({ lockdep: true, trace: true, memoryBudget });
  }

  /** The budget the VFS was booted with; undefined for the library's default. */
  get memoryBudget(): number | undefined { return this.budget; }

  /**
   * Replaces the VFS with a freshly booted one with this memory budget
   * (undefined: the default): everything in the old one is gone. The
   * subscribers are moved to the new VFS.
   */
  async restart(memoryBudget?: number): Promise<void> {
    const next = await WasmBackend.create(memoryBudget);
    const old = this.vfs;
    old.flushEvents();
    for (const [fn, unsub] of this.listeners) {
      unsub();
      this.listeners.set(fn, this.attach(next, fn));
    }
    this.vfs = next;
    this.sh = next.shell();
    this.budget = memoryBudget;
    old.dispose();
  }

  get prompt(): string { return this.sh.prompt; }

  async run(line: string): Promise<RunResult> {
    const r = this.sh.run(line);
    return { output: r.stdout + r.stderr, status: r.status };
  }

  async snapshot(): Promise<Snapshot> {
    return this.vfs.snapshot();
  }

  subscribe(onEvents: Listener): () => void {
    this.listeners.set(onEvents, this.attach(this.vfs, onEvents));
    return () => {
      this.listeners.get(onEvents)?.();
      this.listeners.delete(onEvents);
    };
  }

  private attach(vfs: VFS, onEvents: Listener): () => void {
    return vfs.subscribe((evs) => onEvents(evs, evs.some((e) => e.kind === 'lost')), { ring: RING });
  }

  async flush(): Promise<void> {
    this.vfs.flushEvents();
  }

  /** The line as the terminal's shell parses it, with its working directory. */
  split(line: string): ShellSplit {
    return this.sh.split(line);
  }

  /**
   * Runs a WASI guest for a command line the shell parsed: in the
   * shell's working directory, as its user, with its redirections; its
   * status is the shell's $? after (guestline.ts). A guest that cannot
   * start (bytes that are not a module) throws, and leaves $? at 126,
   * the status the terminal shows for it.
   */
  setStatus(status: number): void {
    this.sh.setStatus(status);
  }

  /** The guest running now, if any: what interrupt() ends. */
  private running?: GuestRunner;
  /** What the page waits for before a running guest writes on (the terminal's backlog). */
  backlog?: () => Promise<void> | undefined;

  /** ^C: ends the running guest, if there is one (its status is 130). */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.interrupt();
    return true;
  }

  async runGuest(name: string, bytes: Uint8Array, args: string[], redirects: ShellCommand['redirects'], cwd: string,
    show?: (b: Uint8Array) => void): Promise<RunResult> {
    const sh = this.sh;
    const vfs = this.vfs;
    try {
      return await runGuestLine({
        shell: (line, stdin) => {
          const r = sh.run(line, { stdin });
          return { output: r.stdout + r.stderr, status: r.status };
        },
        readFile: (path) => vfs.readFile(path),
        openAppend: (path) => {
          const fd = vfs.open(path, O_WRONLY | O_APPEND);
          return { write: (b) => vfs.write(fd, b), close: () => vfs.close(fd) };
        },
        start: (n, b, a, io) => this.start(n, b, a, io),
        setStatus: (status) => sh.setStatus(status),
      }, name, bytes, args, redirects, cwd, show);
    } catch (e) {
      sh.setStatus(126);
      throw e;
    }
  }

  /**
   * Starts a guest on the VFS, forked from the shell's task: its user
   * (after su too) and umask. It sees the whole VFS through the preopen
   * "/", and its working directory through PWD (Go's wasip1 port, and
   * so the busybox guest, resolves relative paths against it).
   */
  private async start(name: string, bytes: Uint8Array, args: string[], io: GuestIO): Promise<number> {
    const wasi = wasiImports(this.vfs, {
      args: [name, ...args],
      env: { PWD: io.cwd },
      preopens: ['/'],
      shell: this.sh,
      stdin: io.stdin,
      stdout: io.terminal,
      stderr: io.terminal,
    });
    const runner = new GuestRunner({ backlog: () => this.backlog?.() });
    for (const [fd, w] of io.files) runner.files.set(fd, w);
    try {
      const mod = await WebAssembly.compile(bytes as BufferSource);
      const inst = await WebAssembly.instantiate(mod, runner.wrap(wasi.imports));
      this.running = runner;
      await runner.start(inst, (i) => wasi.attach(i));
      return 0;
    } catch (e) {
      if (e instanceof WASIExit) return e.code;
      if (e instanceof GuestKilled) {
        if (e.why) io.terminal(new TextEncoder().encode(`${name}: ${e.why}\n`));
        return e.status;
      }
      throw e;
    } finally {
      this.running = undefined;
      wasi.close();
      this.vfs.noteActivity();
    }
  }
}
