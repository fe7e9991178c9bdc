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

/** Code point ranges a terminal draws in no column of their own (combining marks, joiners, variation selectors). */
const ZERO_WIDTH: [number, number][] = [
  [0x0300, 0x036f], [0x0483, 0x0489], [0x0591, 0x05bd], [0x0610, 0x061a], [0x064b, 0x065f],
  [0x0e31, 0x0e31], [0x0e34, 0x0e3a], [0x0e47, 0x0e4e], [0x1ab0, 0x1aff], [0x1dc0, 0x1dff],
  [0x200b, 0x200f], [0x20d0, 0x20ff], [0xfe00, 0xfe0f], [0xfe20, 0xfe2f], [0xe0100, 0xe01ef],
];

/** Code point ranges a terminal draws two columns wide (East Asian Wide and Fullwidth, emoji). */
const WIDE: [number, number][] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3040, 0xa4cf], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f900, 0x1f9ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

const within = (cp: number, ranges: [number, number][]) => ranges.some(([a, b]) => cp >= a && cp <= b);

/** The columns a code point takes on the terminal (the terminal is told the same: Term's unicode provider). */
export function cpWidth(cp: number): 0 | 1 | 2 {
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (within(cp, ZERO_WIDTH)) return 0;
  return within(cp, WIDE) ? 2 : 1;
}

/** The columns a character (one code point) takes. */
export function charWidth(ch: string): number {
  return cpWidth(ch.codePointAt(0) ?? 0);
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
  /** The line being edited when Up left it for the history: Down past the newest entry brings it back (as bash's). */
  private draft = '';
  private busy = false;
  /** Set from showPrompt until the line is run: the prompt and line are on the terminal, being edited. */
  private prompted = false;
  /** The terminal's width the line was last drawn for. */
  private drawnCols = 0;
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
      // For unicode.register below: the terminal lays characters out
      // with the widths the line editor moves its cursor by.
      allowProposedApi: true,
    });
    if (this.xterm.unicode) {
      this.xterm.unicode.register({
        version: 'vfscope',
        wcwidth: cpWidth,
        // As xterm's own providers: a zero-width code point joins the
        // character before it (a combining mark), taking its width.
        charProperties(cp: number, preceding: number): number {
          let w: number = cpWidth(cp);
          let join = w === 0 && preceding !== 0;
          if (join) {
            const old = (preceding >> 1) & 3;
            if (old === 0) join = false;
            else if (old > w) w = old;
          }
          return (w << 1) | (join ? 1 : 0);
        },
      });
      this.xterm.unicode.activeVersion = 'vfscope';
    }
    this.xterm.loadAddon(this.fit);
    this.xterm.open(el);
    this.fitNow();
    new ResizeObserver(() => this.fitNow()).observe(el);
    this.xterm.onData((d) => this.input(d));
  }

  /**
   * Fits the terminal to its element. A new width reflows the rows
   * above the terminal's cursor (xterm.js joins or splits the wrapped
   * rows of lines other than the cursor's), so the prompt's first row
   * may no longer be cursorRow rows up: it is found again in the
   * terminal's buffer, and the line drawn again for the new width, or
   * the next key would go up too far (and clear the output above the
   * prompt) or not far enough (and leave a copy of the line).
   */
  fitNow(): void {
    try { this.fit.fit(); } catch { /* not visible yet */ }
    const cols = this.xterm.cols;
    if (!cols || cols === this.drawnCols) return;
    const was = this.drawnCols;
    this.drawnCols = cols;
    if (!was || !this.prompted || this.busy) return;
    this.cursorRow = this.promptRowsAbove(was);
    this.redraw();
  }

  /**
   * How many rows the terminal's cursor is below the prompt's first
   * row, read from the buffer: the rows the terminal wrapped the line
   * onto (isWrapped) up from the cursor's, and, when the cursor waits
   * on the row after a line that filled its last row (redraw's "\r\n",
   * a row of its own), the line's rows above that one.
   */
  private promptRowsAbove(oldCols: number): number {
    const b = this.xterm.buffer?.active;
    if (!b) return this.cursorRow;
    const at = b.baseY + b.cursorY;
    let y = at;
    const wrapped = (i: number) => b.getLine(i)?.isWrapped ?? false;
    const p = [...this.prompt];
    const cells = layout([...p, ...this.line], oldCols, charWidth);
    const end = cells[cells.length - 1];
    if (this.cursor === [...this.line].length && end.col === 0 && end.row > 0 && y > 0) y--;
    while (y > 0 && wrapped(y)) y--;
    return at - y;
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

  showPrompt(): void {
    this.prompted = true;
    this.xterm.write(this.prompt);
  }

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
    this.prompted = false;
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
      this.draft = '';
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
    return { cells: layout([...p, ...this.line], this.xterm.cols || 80, charWidth), promptLen: p.length };
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
    // The line is edited by code point (an emoji is one, not two UTF-16
    // units) and the cursor moves by the columns each takes.
    const cps = [...this.line];
    if (data === '\r' || data === '\n' || data === '\r\n') {
      const line = this.line;
      // The output goes below the whole line, wherever the cursor is in it.
      this.place(cps.length);
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
        cps.splice(this.cursor - 1, 1);
        this.line = cps.join('');
        this.cursor--;
        this.redraw();
      }
      return;
    }
    if (data === '\x1b[A' || data === '\x1b[B') {
      if (this.history.length === 0) return;
      const to = Math.max(0, Math.min(this.history.length, this.hpos + (data === '\x1b[A' ? -1 : 1)));
      if (to === this.hpos) return;
      if (this.hpos === this.history.length) this.draft = this.line;
      this.hpos = to;
      this.line = to === this.history.length ? this.draft : this.history[to];
      this.cursor = [...this.line].length;
      this.redraw();
      return;
    }
    // Left and right step over zero-width code points with the character they join.
    if (data === '\x1b[D') {
      let i = this.cursor;
      while (i > 0 && charWidth(cps[i - 1]) === 0) i--;
      if (i > 0) this.place(i - 1);
      return;
    }
    if (data === '\x1b[C') {
      let i = this.cursor;
      if (i < cps.length) i++;
      while (i < cps.length && charWidth(cps[i]) === 0) i++;
      if (i !== this.cursor) this.place(i);
      return;
    }
    if (data === '\x03') {
      this.place(cps.length);
      this.line = '';
      this.cursor = 0;
      this.cursorRow = 0;
      // A fresh line: the history is entered from its end again.
      this.hpos = this.history.length;
      this.draft = '';
      this.xterm.write('^C\r\n');
      this.showPrompt();
      return;
    }
    if (data === '\x0c') { this.xterm.clear(); return; }
    if (/^[\x00-\x1f\x7f]|^\x1b/.test(data)) return;
    // Printable text (typed or pasted).
    const typed = [...data];
    cps.splice(this.cursor, 0, ...typed);
    this.line = cps.join('');
    this.cursor += typed.length;
    this.redraw();
  }
}
