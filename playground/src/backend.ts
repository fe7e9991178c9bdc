// Where the VFS lives: in the page (the wasm build, through the npm
// library) or on a host (vfscope serve's live websocket). The app talks
// to both through this one interface.

import type { ShellCommand, ShellSplit } from '@vfscope/web';
import type { Snapshot, TraceEvent } from './schema';

export interface RunResult {
  output: string;
  status: number;
  /** The output was shown on the terminal as it came (a guest's): not to be written again. */
  streamed?: boolean;
}

export interface Backend {
  /** "in-browser VFS" or what the live server calls itself. */
  readonly name: string;
  readonly kind: 'wasm' | 'live';
  /** Whether commands may change the VFS. */
  readonly writable: boolean;
  /** Runs one shell line; its events reach the subscriber before it resolves. */
  run(line: string): Promise<RunResult>;
  snapshot(): Promise<Snapshot>;
  /** onEvents gets batches in seq order; lost says events were dropped (resync). */
  subscribe(onEvents: (events: TraceEvent[], lost: boolean) => void): () => void;
  /**
   * The line as the terminal's shell parses it (its simple commands,
   * any syntax error) and the shell's working directory; in-browser only.
   */
  split?(line: string): ShellSplit;
  /**
   * Runs a WASI guest (name: argv[0]) on the VFS with a command line's
   * arguments and redirections, in cwd (in-browser only). What it
   * writes to the terminal is passed to show as it writes it.
   */
  runGuest?(name: string, bytes: Uint8Array, args: string[], redirects: ShellCommand['redirects'], cwd: string,
    show?: (b: Uint8Array) => void): Promise<RunResult>;
  /** ^C: ends the guest running now, if any (in-browser only); false when none runs. */
  interrupt?(): boolean;
  /** What a running guest waits for before it writes on (the terminal's backlog). */
  backlog?: () => Promise<void> | undefined;
  /**
   * Makes status the shell's $?, for a guest line the page refused
   * before any guest ran (in-browser only).
   */
  setStatus?(status: number): void;
  /**
   * Boots a fresh VFS in place of this one, with this memory budget in
   * bytes (undefined: the default), keeping the subscribers (in-browser
   * only: a live server's VFS is the host's).
   */
  restart?(memoryBudget?: number): Promise<void>;
  /** The budget restart() last set (undefined: the default). */
  readonly memoryBudget?: number;
  /** Takes any events the VFS has emitted but not yet delivered. */
  flush(): Promise<void>;
}
