// The terminal: xterm.js with a small line editor (history, cursor keys)
// that hands each line to the app.

import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

export class Term {
  readonly xterm: Terminal;
  private fit = new FitAddon();
  private line = '';
  private cursor = 0;
  private history: string[] = [];
  private hpos = 0;
  private busy = false;
  prompt = 'vfscope:/# ';
  /** Runs one line; resolves when its output has been written. */
  onLine: (line: string) => Promise<void> = async () => {};

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

  showPrompt(): void { this.xterm.write(this.prompt); }

  /** Types a line as if the user had (for lessons and shared links). */
  async type(line: string): Promise<void> {
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    this.xterm.write(line + '\r\n');
    await this.exec(line);
  }

  private async exec(line: string): Promise<void> {
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
      this.busy = false;
      this.hpos = this.history.length;
      this.showPrompt();
    }
  }

  private redraw(): void {
    this.xterm.write('\r\x1b[K' + this.prompt + this.line);
    const back = this.line.length - this.cursor;
    if (back > 0) this.xterm.write(`\x1b[${back}D`);
  }

  private input(data: string): void {
    if (this.busy) return;
    if (data === '\r') {
      const line = this.line;
      this.line = '';
      this.cursor = 0;
      this.xterm.write('\r\n');
      void this.exec(line);
      return;
    }
    if (data === '\x7f') {
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
    if (data === '\x1b[D') { if (this.cursor > 0) { this.cursor--; this.xterm.write(data); } return; }
    if (data === '\x1b[C') { if (this.cursor < this.line.length) { this.cursor++; this.xterm.write(data); } return; }
    if (data === '\x03') { this.line = ''; this.cursor = 0; this.xterm.write('^C\r\n'); this.showPrompt(); return; }
    if (data === '\x0c') { this.xterm.clear(); return; }
    // Printable text (typed or pasted): newlines in a paste run each line.
    const parts = data.replace(/\r\n?/g, '\n').split('\n');
    const printable = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, '');
    this.line = this.line.slice(0, this.cursor) + printable(parts[0]) + this.line.slice(this.cursor);
    this.cursor += printable(parts[0]).length;
    this.redraw();
    if (parts.length > 1) {
      const rest = parts.slice(1);
      const first = this.line;
      this.line = '';
      this.cursor = 0;
      this.xterm.write('\r\n');
      void (async () => {
        await this.exec(first);
        for (const l of rest) if (l.trim()) await this.type(l);
      })();
    }
  }
}
