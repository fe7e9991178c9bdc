// A WASI guest's command line (busybox, a dropped .wasm) run as the
// shell runs its own commands: the words and redirections are the
// shell's own parse (Shell.split), the guest starts in the shell's
// working directory as its user, '<', '>', '>>', '2>', '2>&1' are opened
// through the shell, with its task, umask and error messages, and what
// the guest writes to them goes through the VFS as it writes it (a full
// tmpfs fails its write with ENOSPC, as on Linux); '>&-' and '2>&-'
// close fd 1 or 2, where the guest's writes then fail with EBADF; the
// line's status becomes the shell's $?.

import type { ShellCommand } from '@vfscope/web';
import type { RunResult } from './backend';
import type { FdWriter } from './guestrun';

/** What running a guest line needs from the in-browser VFS. */
export interface GuestHost {
  /** Runs a line in the terminal's shell (stdin: what its commands read). */
  shell(line: string, stdin?: Uint8Array): RunResult;
  /** A file's bytes, by absolute path. */
  readFile(path: string): Uint8Array;
  /**
   * Opens a file the shell's redirection already opened (created,
   * truncated), by absolute path, for appending: the guest's fd writes
   * to it through the VFS as it runs. Throws a VFSError.
   */
  openAppend(path: string): { write: FdWriter; close(): void };
  /**
   * Runs the guest as the shell's user (its task's credentials and
   * umask); what it writes to the terminal goes to io.terminal as it
   * writes it, what it writes to a redirected fd to io.files' writer;
   * resolves with its exit status (130 when ^C ended it).
   */
  start(name: string, bytes: Uint8Array, args: string[], io: GuestIO): Promise<number>;
  /** Makes status the shell's last status, what its next "$?" expands to. */
  setStatus(status: number): void;
}

export interface GuestIO {
  /** The guest's working directory (PWD). */
  cwd: string;
  stdin: Uint8Array;
  /** What the guest writes to a fd that is the terminal, as it writes it. */
  terminal: (b: Uint8Array) => void;
  /** The fds (1, 2) redirected to VFS files, and their writers. */
  files: Map<number, FdWriter>;
}

/**
 * The most of a guest line's terminal output its timeline record keeps,
 * as the shell's Shell.OutputLimit: the terminal shows all of it as it
 * comes (RATIONALE.md, "Why does the shell stop `cat /dev/zero` after 1
 * MiB?").
 */
export const RECORD_LIMIT = 1 << 20;

/**
 * Where fd 1 or 2 goes: the terminal, a VFS file (as the shell names
 * it), or nowhere: closed by "N>&-".
 */
interface Sink { file?: string; writer?: { write: FdWriter; close(): void }; closed?: boolean }

/** EBADF, as VFSError.errno carries it. */
const EBADF = 9;

/**
 * A fd "N>&-" closed: the guest's writes there fail with EBADF, as
 * write(2) on a descriptor close(2) freed does (the runner hands the
 * errno to the guest, GuestRunner.fdWrite).
 */
const closedWrite: FdWriter = () => {
  throw Object.assign(new Error('Bad file descriptor'), { errno: EBADF });
};

/** A word quoted for the shell: single quotes, a quote inside as '\''. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function join(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
}

/**
 * Runs cmd (args[0] the guest's name as typed, args the rest) with the
 * redirections the shell parsed, in cwd. Redirections are applied in
 * order, as the shell does: "> f 2>&1" sends both to f, "2>&1 > f" only
 * stdout. A file a redirection cannot open fails the line before the
 * guest starts, with the shell's message and status 1. What the guest
 * writes reaches the terminal (show) and the files as it writes it; the
 * result's output is what went to the terminal, up to RECORD_LIMIT
 * bytes. The line's status (the guest's exit status, or that failure's)
 * is the shell's $? after.
 */
export async function runGuestLine(host: GuestHost, name: string, bytes: Uint8Array, args: string[],
  redirects: ShellCommand['redirects'], cwd: string, shown?: (b: Uint8Array) => void): Promise<RunResult> {
  // Without a terminal to stream to, the output is only in the result.
  const show = shown ?? (() => {});
  const streamed = shown !== undefined;
  const term: Sink = {};
  const fds: Sink[] = [term, term, term];
  const opened: Sink[] = [];
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let cut = false;
  const terminal = (b: Uint8Array) => {
    show(b);
    const room = RECORD_LIMIT - keptBytes;
    if (b.length > room) cut = true;
    if (room > 0) {
      const part = b.subarray(0, room);
      kept.push(part.slice());
      keptBytes += part.length;
    }
  };
  // A redirection that fails says so on fd 2 as the redirections
  // before it left it, as the shell's do: into a file "2>e" opened,
  // nowhere after "2>&-".
  const fail = (r: RunResult) => {
    const err = fds[2];
    let output = r.output;
    if (err.closed) output = '';
    else if (err.writer) {
      try { err.writer.write(new TextEncoder().encode(output)); } catch { /* as a failed write(2) of the message */ }
      output = '';
    }
    for (const s of opened) s.writer!.close();
    show(new TextEncoder().encode(output));
    return done(host, { output, status: r.status, streamed });
  };
  let stdin: Uint8Array = new Uint8Array();
  for (const r of redirects) {
    if (r.op === '>&') {
      if (r.target === '-') {
        // The guest's stdin is bytes the runner hands it (GuestIO.stdin),
        // which has no way to fail a read with EBADF.
        if (r.fd === 0) return fail({ output: `${r.fd}>&-: a guest's standard input cannot be closed here\n`, status: 1 });
        fds[r.fd] = { closed: true };
        continue;
      }
      if (r.fd === 0 && r.target === '0') continue;
      if ((r.target !== '1' && r.target !== '2') || fds[Number(r.target)].closed) {
        return fail({ output: `${r.target}: ${redirectError(r.target)}\n`, status: 1 });
      }
      fds[r.fd] = fds[Number(r.target)];
      continue;
    }
    // The shell opens (and creates or truncates) the file as it would
    // for its own command; "< f" only checks that f can be read.
    const open = host.shell(`${r.op === '<' ? '<' : r.op} ${shellQuote(r.target)}`);
    if (open.status !== 0) return fail(open);
    if (r.op === '<') {
      stdin = host.readFile(join(cwd, r.target));
      continue;
    }
    let writer;
    try {
      writer = host.openAppend(join(cwd, r.target));
    } catch (e) {
      return fail({ output: `${r.target}: ${(e as Error).message}\n`, status: 1 });
    }
    const s: Sink = { file: r.target, writer };
    opened.push(s);
    fds[r.fd] = s;
  }
  const files = new Map<number, FdWriter>();
  for (const fd of [1, 2]) {
    if (fds[fd].closed) files.set(fd, closedWrite);
    else if (fds[fd].writer) files.set(fd, fds[fd].writer!.write);
  }
  let status: number;
  try {
    status = await host.start(name, bytes, args, { cwd, stdin, terminal, files });
  } finally {
    for (const s of opened) s.writer!.close();
  }
  let output = new TextDecoder().decode(concat(kept));
  if (cut) output += `\n[the timeline keeps the first ${RECORD_LIMIT} bytes of this output]\n`;
  return done(host, { output, status, streamed });
}

/**
 * What the shell says of "N>&WORD" when WORD is neither an open "1" or
 * "2" nor "-" (shell.go, runCommand): a word bash takes as a descriptor
 * (digits, or empty) is a bad one; a file name is an ambiguous redirect
 * ("2>&f"; Shell.split already gives ">&f" as ">f 2>&1").
 */
function redirectError(target: string): string {
  return /^[0-9]*$/.test(target) ? 'Bad file descriptor' : 'ambiguous redirect';
}

/** Sets the shell's $? to the line's status, and returns its result. */
function done<R extends RunResult>(host: GuestHost, r: R): R {
  host.setStatus(r.status);
  return r;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}
