// The terminal: xterm.js with a small line editor (history, cursor keys)
// that hands each line to the app.
//
// Keys typed while a line runs are kept, as the tty's line discipline
// keeps typeahead in its read buffer (n_tty_receive_buf): when the
// prompt comes back they are edited and run as if typed then. ^C while
// a line runs interrupts it (onInterrupt) and drops the typeahead, as
// the SIGINT n_tty_receive_signal_char sends flushes the input queue
// (unless NOFLSH). Lines the app types (lessons, share links) do not
// take the line being edited: it is put back after them.

import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

/**
 * One key or run of text: an escape sequence, a control character, a
 * line end, or printable text.
 */
const TOKEN = /\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|\r\n|[\r\n]|[\x00-\x1f\x7f]|[^\x00-\x1f\x7f]+/g;

export function tokens(data: string): string[] {
  return data.match(TOKEN) ?? [];
}

/** A cell of the prompt and line as the terminal lays them out: its row and column from the prompt's start. */
interface Cell { row: number; col: number }

/**
 * Where each character of text starts when written from column 0 of a
 * terminal cols wide (the last entry: where the cursor is after it), as
 * the terminal wraps: a character that does not fit in what is left of
 * a row starts the next one. After text that fills its last row the
 * terminal's cursor waits at that row's end (the wrap is pending): the
 * editor moves it to the next row's start (redraw), and the end is put
 * there.
 */
export function layout(chars: string[], cols: number, width: (ch: string) => number = () => 1): Cell[] {
  const out: Cell[] = [];
  let row = 0, col = 0;
  for (const ch of chars) {
    const w = width(ch);
    if (col + w > cols && col > 0) { row++; col = 0; }
    out.push({ row, col });
    col += w;
  }
  out.push(col >= cols ? { row: row + 1, col: 0 } : { row, col });
  return out;
}

/** How much output the terminal may have queued, not drawn, before a writer waits. */
const BACKLOG_HIGH = 256 << 10;

export class Term {
  readonly xterm: Terminal;
  private fit = new FitAddon();
  private line = '';
  private cursor = 0;
  /** The row of the terminal's cursor, counted from the prompt's first row (the line may wrap). */
  private cursorRow = 0;
  private history: string[] = [];
  private hpos = 0;
  private busy = false;
  /** Keys typed while a line ran, not yet taken. */
  private typeahead = '';
  /** Set while the app types lines of its own (runLines): typeahead waits. */
  private holding = 0;
  /** Bumped by each ^C that interrupted something. */
  private interrupts = 0;
  /** Output bytes handed to xterm and not yet drawn. */
  private queued = 0;
  private drained?: { p: Promise<void>; resolve: () => void };
  private decoder = new TextDecoder();
  prompt = 'vfscope:/# ';
  /** Runs one line; resolves when its output has been written. */
  onLine: (line: string) => Promise<void> = async () => {};
  /** ^C while a line runs: stop it. */
  onInterrupt: () => void = () => {};

  constructor(el: HTMLElement) {
    this.xterm = new Terminal({
      fontSize: 13,
      fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
      convertEol: true,
      cursorBlink: true,
      scrollback: 5000,
      theme: { background: '#1e1e1e' },
    });
    this.xterm.loadAddon(this.fit);
    this.xterm.open(el);
    this.fitNow();
    new ResizeObserver(() => this.fitNow()).observe(el);
    this.xterm.onData((d) => this.input(d));
  }

  fitNow(): void {
    try { this.fit.fit(); } catch { /* not visible yet */ }
  }

  write(s: string): void { this.xterm.write(s); }

  /**
   * Writes a running program's output (UTF-8, in pieces as it comes);
   * backlog() says when the writer should wait for it to be drawn.
   */
  writeBytes(b: Uint8Array): void {
    const s = this.decoder.decode(b, { stream: true });
    if (!s) return;
    this.queued += s.length;
    this.xterm.write(s, () => {
      this.queued -= s.length;
      if (this.queued < BACKLOG_HIGH / 2 && this.drained) {
        this.drained.resolve();
        this.drained = undefined;
      }
    });
  }

  /** A promise while more output is queued than drawn (a tty's full output buffer), else undefined. */
  backlog(): Promise<void> | undefined {
    if (this.queued < BACKLOG_HIGH) return undefined;
    if (!this.drained) {
      let resolve!: () => void;
      const p = new Promise<void>((r) => { resolve = r; });
      this.drained = { p, resolve };
    }
    return this.drained.p;
  }

  showPrompt(): void { this.xterm.write(this.prompt); }

  /** The line being edited (what typing would run), and the keys waiting to be taken. */
  get pending(): { line: string; typeahead: string } {
    return { line: this.line, typeahead: this.typeahead };
  }

  /** Types a line as if the user had (for lessons and shared links). */
  async type(line: string): Promise<void> {
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    // The line being edited steps aside for this one and comes back
    // after it, at the next prompt.
    const held = { line: this.line, cursor: this.cursor };
    this.line = '';
    this.cursor = 0;
    this.xterm.write(this.up() + '\r\x1b[J' + this.prompt + line + '\r\n');
    this.cursorRow = 0;
    await this.exec(line, held);
  }

  /**
   * Types lines one after the other; the user's typeahead waits until
   * they are done. Stops at a ^C: resolves with false if one interrupted
   * them (the rest are not run).
   */
  async runLines(lines: string[]): Promise<boolean> {
    this.holding++;
    const at = this.interrupts;
    try {
      for (const l of lines) {
        if (this.interrupts !== at) return false;
        await this.type(l);
      }
      return this.interrupts === at;
    } finally {
      this.holding--;
      if (!this.holding && !this.busy) this.takeTypeahead();
    }
  }

  private async exec(line: string, held = { line: '', cursor: 0 }): Promise<void> {
    this.busy = true;
    try {
      if (line.trim()) {
        this.history.push(line);
        await this.onLine(line);
      }
    } catch (e) {
      // A line that could not run (the live connection closed, say):
      // say why, and take the next.
      this.xterm.write(`vfscope: ${(e as Error).message ?? e}\r\n`);
    } finally {
      this.decoder = new TextDecoder();
      this.busy = false;
      this.hpos = this.history.length;
      this.showPrompt();
      if (held.line) {
        this.line = held.line + this.line;
        this.cursor = held.cursor;
        this.redraw();
      }
      if (!this.holding) this.takeTypeahead();
    }
  }

  /** Feeds the keys typed while a line ran to the editor, as if typed now. */
  private takeTypeahead(): void {
    const t = this.typeahead;
    this.typeahead = '';
    if (t) this.input(t);
  }

  /** The prompt and line laid out on the terminal (layout). */
  private cells(): { cells: Cell[]; promptLen: number } {
    const p = [...this.prompt];
    return { cells: layout([...p, ...this.line], this.xterm.cols || 80), promptLen: p.length };
  }

  /** What moves the terminal's cursor up to the prompt's first row. */
  private up(): string {
    return this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : '';
  }

  /** What moves the terminal's cursor from the cell at to the cell to. */
  private static move(at: Cell, to: Cell): string {
    if (at.row === to.row && at.col === to.col) return '';
    let s = '';
    if (to.row < at.row) s += `\x1b[${at.row - to.row}A`;
    if (to.row > at.row) s += `\x1b[${to.row - at.row}B`;
    s += '\r';
    if (to.col > 0) s += `\x1b[${to.col}C`;
    return s;
  }

  /**
   * Draws the prompt and line again over the rows the last drawing
   * used (up to its first row, and everything below cleared: a line
   * longer than the terminal is wide takes several), then puts the
   * cursor on its character.
   */
  private redraw(): void {
    const { cells, promptLen } = this.cells();
    const end = cells[cells.length - 1];
    const last = cells.length > 1 ? cells[cells.length - 2] : end;
    let s = this.up() + '\r\x1b[J' + this.prompt + this.line;
    // A line that fills its last row: the terminal's cursor waits at
    // that row's end; take it to the next row's start, where the end is.
    if (end.row > last.row && end.col === 0 && cells.length > 1) s += '\r\n';
    const at = cells[promptLen + this.cursor];
    s += Term.move(end, at);
    this.cursorRow = at.row;
    this.xterm.write(s);
  }

  /** Moves the terminal's cursor to the line's character i (i = its length: the end). */
  private place(i: number): void {
    const { cells, promptLen } = this.cells();
    const at = cells[promptLen + this.cursor];
    const to = cells[promptLen + i];
    this.cursor = i;
    this.cursorRow = to.row;
    this.xterm.write(Term.move(at, to));
  }

  private input(data: string): void {
    const toks = tokens(data);
    for (let i = 0; i < toks.length; i++) {
      const k = toks[i];
      if (this.busy || this.holding) {
        if (k === '\x03') {
          // ^C: the running line (and the lines the app is typing) is
          // interrupted, the typeahead dropped.
          this.interrupts++;
          this.typeahead = '';
          this.xterm.write('^C\r\n');
          this.onInterrupt();
          return;
        }
        this.typeahead += toks.slice(i).join('');
        return;
      }
      this.key(k);
    }
  }

  private key(data: string): void {
    if (data === '\r' || data === '\n' || data === '\r\n') {
      const line = this.line;
      // The output goes below the whole line, wherever the cursor is in it.
      this.place(this.line.length);
      const { cells } = this.cells();
      const end = cells[cells.length - 1];
      // A line that filled its last row has the cursor on a fresh row already.
      const fresh = end.col === 0 && end.row > 0;
      this.line = '';
      this.cursor = 0;
      this.cursorRow = 0;
      this.xterm.write(fresh ? '\r' : '\r\n');
      void this.exec(line);
      return;
    }
    if (data === '\x7f' || data === '\b') {
      if (this.cursor > 0) {
        this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
        this.cursor--;
        this.redraw();
      }
      return;
    }
    if (data === '\x1b[A' || data === '\x1b[B') {
      if (this.history.length === 0) return;
      this.hpos = Math.max(0, Math.min(this.history.length, this.hpos + (data === '\x1b[A' ? -1 : 1)));
      this.line = this.history[this.hpos] ?? '';
      this.cursor = this.line.length;
      this.redraw();
      return;
    }
    if (data === '\x1b[D') { if (this.cursor > 0) this.place(this.cursor - 1); return; }
    if (data === '\x1b[C') { if (this.cursor < this.line.length) this.place(this.cursor + 1); return; }
    if (data === '\x03') {
      this.place(this.line.length);
      this.line = '';
      this.cursor = 0;
      this.cursorRow = 0;
      this.xterm.write('^C\r\n');
      this.showPrompt();
      return;
    }
    if (data === '\x0c') { this.xterm.clear(); return; }
    if (/^[\x00-\x1f\x7f]|^\x1b/.test(data)) return;
    // Printable text (typed or pasted).
    this.line = this.line.slice(0, this.cursor) + data + this.line.slice(this.cursor);
    this.cursor += data.length;
    this.redraw();
  }
}
