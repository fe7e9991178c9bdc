// A WASI guest's command line (busybox, a dropped .wasm) run as the
// shell runs its own commands: the words and redirections are the
// shell's own parse (Shell.split), the guest starts in the shell's
// working directory as its user, '<', '>', '>>', '2>', '2>&1' are opened
// and written through the shell, with its task, umask and error messages,
// and the line's status becomes the shell's $?.

import type { ShellCommand } from '@vfscope/web';
import type { RunResult } from './backend';

/** What running a guest line needs from the in-browser VFS. */
export interface GuestHost {
  /** Runs a line in the terminal's shell (stdin: what its commands read). */
  shell(line: string, stdin?: Uint8Array): RunResult;
  /** A file's bytes, by absolute path. */
  readFile(path: string): Uint8Array;
  /**
   * Runs the guest as the shell's user (its task's credentials and
   * umask); its output goes to the two callbacks; resolves with its
   * exit status.
   */
  start(name: string, bytes: Uint8Array, args: string[], io: GuestIO): Promise<number>;
  /** Makes status the shell's last status, what its next "$?" expands to. */
  setStatus(status: number): void;
}

export interface GuestIO {
  /** The guest's working directory (PWD). */
  cwd: string;
  stdin: Uint8Array;
  stdout: (b: Uint8Array) => void;
  stderr: (b: Uint8Array) => void;
}

/** Where fd 1 or 2 goes: the terminal, or a VFS file (as the shell names it). */
interface Sink { file?: string; chunks: Uint8Array[] }

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
 * guest starts, with the shell's message and status 1. The line's status
 * (the guest's exit status, or that failure's) is the shell's $? after.
 */
export async function runGuestLine(host: GuestHost, name: string, bytes: Uint8Array, args: string[],
  redirects: ShellCommand['redirects'], cwd: string): Promise<RunResult> {
  const term: Sink = { chunks: [] };
  const fds: Sink[] = [term, term, term];
  let stdin: Uint8Array = new Uint8Array();
  for (const r of redirects) {
    if (r.op === '>&') {
      if (r.target !== '1' && r.target !== '2') return done(host, { output: `${r.target}: bad file descriptor\n`, status: 1 });
      fds[r.fd] = fds[Number(r.target)];
      continue;
    }
    // The shell opens (and creates or truncates) the file as it would
    // for its own command; "< f" only checks that f can be read.
    const open = host.shell(`${r.op === '<' ? '<' : r.op} ${shellQuote(r.target)}`);
    if (open.status !== 0) return done(host, open);
    if (r.op === '<') {
      stdin = host.readFile(join(cwd, r.target));
      continue;
    }
    fds[r.fd] = { file: r.target, chunks: [] };
  }
  const status = await host.start(name, bytes, args, {
    cwd,
    stdin,
    stdout: (b) => fds[1].chunks.push(b.slice()),
    stderr: (b) => fds[2].chunks.push(b.slice()),
  });
  let output = new TextDecoder().decode(concat(term.chunks));
  // What went to files is appended through the shell (the file was
  // opened, truncated for '>', before the guest started).
  for (const s of new Set(fds)) {
    if (!s.file || !s.chunks.length) continue;
    const w = host.shell(`cat >> ${shellQuote(s.file)}`, concat(s.chunks));
    if (w.status !== 0) output += w.output;
  }
  return done(host, { output, status });
}

/** Sets the shell's $? to the line's status, and returns its result. */
function done(host: GuestHost, r: RunResult): RunResult {
  host.setStatus(r.status);
  return r;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}
