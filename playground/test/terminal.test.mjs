// The terminal (src/terminal.ts) under node: xterm.js is replaced by a
// recorder of what is written. A line whose run fails (the live
// connection closed) is reported, and the terminal takes the next line
// instead of staying busy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir, Term;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-term-'));
  writeFileSync(join(dir, 'xterm.mjs'), `export class Terminal {
    constructor() { this.out = ''; }
    loadAddon() {} open() {} clear() {}
    write(s) { this.out += s; }
    onData(f) { this.data = f; }
  }`);
  writeFileSync(join(dir, 'fit.mjs'), 'export class FitAddon { fit() {} }');
  const out = ts.transpileModule(readFileSync(join(src, 'terminal.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText
    .replace(/from '@xterm\/xterm'/, "from './xterm.mjs'")
    .replace(/from '@xterm\/addon-fit'/, "from './fit.mjs'")
    .replace(/import '@xterm\/xterm\/css\/xterm\.css';/, '');
  writeFileSync(join(dir, 'terminal.mjs'), out);
  globalThis.ResizeObserver = class { observe() {} };
  ({ Term } = await import(pathToFileURL(join(dir, 'terminal.mjs')).href));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a line whose run fails is reported and the next line runs', async () => {
  const t = new Term({});
  const ran = [];
  t.onLine = async (line) => {
    ran.push(line);
    if (line === 'ls') throw new Error('the live connection closed (code 1006)');
  };
  const cases = [
    { line: 'ls', out: 'vfscope: the live connection closed (code 1006)\r\n' },
    { line: 'pwd', out: '' },
  ];
  for (const c of cases) {
    t.xterm.out = '';
    const done = t.type(c.line);
    const r = await Promise.race([done.then(() => 'done'), new Promise((r) => setTimeout(() => r('hung'), 1000))]);
    assert.equal(r, 'done', `${c.line}: the terminal stayed busy`);
    assert.ok(t.xterm.out.includes(c.out), `${c.line}: wrote ${JSON.stringify(t.xterm.out)}`);
    assert.ok(t.xterm.out.endsWith(t.prompt), `${c.line}: no prompt after it`);
  }
  assert.deepEqual(ran, ['ls', 'pwd']);
});

/** A terminal whose lines wait for release() before they end. */
function gated() {
  const t = new Term({});
  const ran = [];
  let open;
  t.onLine = (line) => { ran.push(line); return new Promise((r) => { open = r; }); };
  return { t, ran, release: () => open?.(), key: (d) => t.xterm.data(d) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

// Keys typed while a line runs are kept, as n_tty keeps typeahead in its
// read buffer (drivers/tty/n_tty.c n_tty_receive_buf), and edited and
// run at the next prompt; ^C while a line runs sends the interrupt and
// flushes what was typed ahead (n_tty_receive_signal_char -> isig with
// flush, unless NOFLSH).
test('keys typed while a line runs are taken at the next prompt; ^C drops them', async () => {
  const cases = [
    { name: 'a whole line typed ahead runs next', typed: ['echo a', '\r'], ran: ['first', 'echo a'], line: '' },
    { name: 'a half line typed ahead is on the prompt', typed: ['echo ha'], ran: ['first'], line: 'echo ha' },
    { name: 'editing keys typed ahead apply in order', typed: ['ab', '\x7f', 'c', '\x1b[D', 'X', '\r'], ran: ['first', 'aXc'], line: '' },
    { name: 'a paste of two lines runs both, in order', typed: ['one\rtwo\r'], ran: ['first', 'one', 'two'], line: '' },
    { name: '^C interrupts and drops the typeahead', typed: ['echo lost', '\x03', 'ke'], ran: ['first'], line: 'ke', interrupts: 1 },
  ];
  for (const c of cases) {
    const g = gated();
    let interrupts = 0;
    g.t.onInterrupt = () => { interrupts++; g.release(); };
    g.key('first');
    g.key('\r');
    for (const k of c.typed) g.key(k);
    // Each line ends when released; lines typed ahead then run in turn.
    for (let i = 0; i < 5; i++) { g.release(); await tick(); }
    assert.deepEqual(g.ran, c.ran, c.name);
    assert.equal(g.t.pending.line, c.line, `${c.name}: the line on the prompt`);
    assert.equal(interrupts, c.interrupts ?? 0, `${c.name}: interrupts`);
  }
});

test('a line the app types puts the line being edited back after it; ^C stops the app\'s lines', async () => {
  const g = gated();
  g.key('echo half');
  const done = g.t.runLines(['lesson 1', 'lesson 2', 'lesson 3']);
  await tick();
  assert.deepEqual(g.ran, ['lesson 1']);
  g.key('more\r'); // typed during the app's lines: waits until they end
  g.release();
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(g.ran, ['lesson 1', 'lesson 2']);
  let interrupted = 0;
  g.t.onInterrupt = () => { interrupted++; g.release(); };
  g.key('\x03');
  assert.equal(await done, false, 'runLines says a ^C stopped it');
  assert.deepEqual(g.ran, ['lesson 1', 'lesson 2'], 'lesson 3 did not run');
  assert.equal(interrupted, 1);
  assert.equal(g.t.pending.line, 'echo half', 'the edited line is back on the prompt');
  assert.equal(g.t.pending.typeahead, '', 'the typeahead was dropped with the ^C');
  assert.ok(g.t.xterm.out.endsWith(g.t.prompt + 'echo half'), `the prompt shows it: ${JSON.stringify(g.t.xterm.out.slice(-40))}`);
});

// Up leaves the line being edited for the history; Down past the newest
// entry brings it back, as bash's (readline keeps it as the history's
// last line).
test('the line being edited comes back after the history', async () => {
  const t = new Term({});
  for (const l of ['ls', 'pwd']) await t.type(l);
  const up = '\x1b[A', down = '\x1b[B';
  const cases = [
    { keys: [up], line: 'pwd' },
    { keys: [up, up], line: 'ls' },
    { keys: [up, down], line: 'echo draft' },
    { keys: [up, up, down, down], line: 'echo draft' },
    { keys: [up, up, up, down], line: 'pwd' },
    { keys: [down], line: 'echo draft' },
  ];
  for (const c of cases) {
    t.xterm.data('\x03');
    t.xterm.data('echo draft');
    for (const k of c.keys) t.xterm.data(k);
    assert.equal(t.pending.line, c.line, JSON.stringify(c.keys));
  }
});
