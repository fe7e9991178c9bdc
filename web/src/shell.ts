import { bytesOf } from "./ops.js";
import type { VFS } from "./vfs.js";
import { textDecoder } from "./text.js";

/** What one command line did. */
export interface ShellResult {
  stdout: string;
  stderr: string;
  /** The exit status of the last command ($?). */
  status: number;
  /** The shell has stopped (`exit`, or a failure under `set -e`). */
  exited: boolean;
}

/** A redirection of a simple command, as the shell parsed it. */
export interface ShellRedirect {
  /** 0, 1 or 2. */
  fd: number;
  /** ">&" stands for "<&" too: both are dup2(target, fd). */
  op: "<" | ">" | ">>" | ">&";
  /** The file name; for ">&", the descriptor ("1" or "2"), or "-": fd is closed for the command (its reads or writes there fail with EBADF). */
  target: string;
}

/** One simple command of a line: its words (quotes removed, "$?" expanded) and redirections. */
export interface ShellCommand {
  args: string[];
  redirects: ShellRedirect[];
}

/** What split() found in a line. */
export interface ShellSplit {
  /** The simple commands in order; more than one when ';', '&&', '||', '|' or a newline join them. */
  commands: ShellCommand[];
  /** The shell's syntax error ("" when the line parsed). */
  error: string;
  /** The shell's working directory. */
  cwd: string;
}


/**
 * Shell is a session of vfscope's shell (ls, cat, mkdir, mount, stat, df,
 * ln, mv... printing what the Linux tools print) acting in its own task:
 * its cd and umask are its own. A terminal feeds it one line at a time.
 */
export class Shell {
  /** The prompt to show before the next line ("vfscope:/tmp# "). */
  prompt = "vfscope:/# ";
  private closed = false;

  private constructor(
    private readonly vfs: VFS,
    private readonly id: number,
  ) {}

  /** @internal The shell's number on the Go side (wasiImports' shell option); throws once closed. */
  bridgeId(vfs: VFS): number {
    if (this.closed) throw new Error("vfscope: this shell is closed");
    if (vfs !== this.vfs) throw new Error("vfscope: this shell is on another VFS");
    return this.id;
  }

  /** @internal Use vfs.shell(). */
  static create(vfs: VFS): Shell {
    const id = vfs.one({ op: "shellNew", syscall: "fork", enc: () => undefined, dec: (r) => r.num() });
    return new Shell(vfs, id);
  }

  /** Runs a command line (or several, one per line); stdin is what commands reading standard input get. */
  run(line: string, options: { stdin?: string | Uint8Array } = {}): ShellResult {
    if (this.closed) throw new Error("vfscope: this shell is closed");
    const stdin = options.stdin === undefined ? new Uint8Array() : bytesOf(options.stdin, "stdin");
    const res = this.vfs.one({
      op: "shellRun",
      syscall: "sh",
      enc: (rt) => (rt.num(this.id), rt.str(line), rt.bytes(stdin)),
      dec: (r) => {
        const status = r.num();
        const exited = r.u8() === 1;
        const stdout = textDecoder.decode(r.view());
        const stderr = textDecoder.decode(r.view());
        const prompt = r.str();
        return { status, exited, stdout, stderr, prompt };
      },
    });
    this.prompt = res.prompt;
    return { stdout: res.stdout, stderr: res.stderr, status: res.status, exited: res.exited };
  }

  /**
   * Parses a line as run() would, without running it: for a host that
   * runs programs the shell does not know (WASI guests) with the shell's
   * quoting, redirections and working directory.
   */
  split(line: string): ShellSplit {
    if (this.closed) throw new Error("vfscope: this shell is closed");
    return this.vfs.one({
      op: "shellSplit",
      syscall: "sh",
      enc: (rt) => (rt.num(this.id), rt.str(line)),
      dec: (r) => {
        const error = r.str();
        const cwd = r.str();
        const commands: ShellCommand[] = [];
        for (let n = r.u32(); n > 0; n--) {
          const args: string[] = [];
          for (let k = r.u32(); k > 0; k--) args.push(r.str());
          const redirects: ShellRedirect[] = [];
          for (let k = r.u32(); k > 0; k--) {
            const fd = r.u8();
            const op = r.str() as ShellRedirect["op"];
            redirects.push({ fd, op, target: r.str() });
          }
          commands.push({ args, redirects });
        }
        return { commands, error, cwd };
      },
    });
  }

  /**
   * Sets the status of the last command, what "$?" expands to next: for
   * a host that ran a command line of the shell's itself (a WASI guest's
   * exit status, or 1 for a redirection that failed before the guest
   * started), so that `$?` follows it as after the shell's own commands.
   * Taken modulo 256, as exit statuses are; under `set -e` a nonzero
   * status stops the shell.
   */
  setStatus(status: number): void {
    if (this.closed) throw new Error("vfscope: this shell is closed");
    if (!Number.isSafeInteger(status)) throw new TypeError(`vfscope: a status is an integer, not ${status}`);
    this.vfs.one({
      op: "shellSetStatus",
      syscall: "sh",
      enc: (rt) => (rt.num(this.id), rt.num(status)),
      dec: () => undefined,
    });
  }

  /** Ends the shell's task; after vfs.dispose(), which ended it, it does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.vfs.disposed) return;
    this.vfs.one({ op: "shellClose", syscall: "exit", enc: (rt) => rt.num(this.id), dec: () => undefined });
  }
}
