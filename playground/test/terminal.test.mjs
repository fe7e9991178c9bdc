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
