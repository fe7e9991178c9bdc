// A guest line's redirections (src/guestline.ts) as the shell takes
// them (host/shell/shell.go, runCommand): "N>&1" and "N>&2" send the
// fd where 1 or 2 goes; after ">&" a word bash takes as a descriptor
// (digits) that is neither, or a copy of a closed one, is a bad
// descriptor, and a file name is an ambiguous redirect ("2>&f";
// Shell.split gives ">&f" as ">f 2>&1"). Either fails the line with
// status 1 before the guest starts, its message on fd 2 as the
// redirections before it left it. "N>&-" closes fd 1 or 2: the guest's
// writes there fail with EBADF; a guest's stdin cannot be closed. The
// messages are the shell's (TestRedirectOutputAndError,
// TestRedirectClose), bash 5's without its "bash: line 1: ".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir, G;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-guestline-'));
  const out = ts.transpileModule(readFileSync(join(src, 'guestline.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, 'guestline.mjs'), out);
  G = await import(pathToFileURL(join(dir, 'guestline.mjs')).href);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A host whose shell opens every file and whose guest writes "out" to fd 1, "err" to fd 2. */
function fakeHost() {
  const h = {
    started: false, status: undefined, files: new Map(), errnos: [],
    shell: () => ({ output: '', status: 0 }),
    readFile: () => new Uint8Array(),
    openAppend: (path) => {
      h.files.set(path, '');
      return { write: (b) => { h.files.set(path, h.files.get(path) + new TextDecoder().decode(b)); return b.length; }, close() {} };
    },
    start: async (name, bytes, args, io) => {
      h.started = true;
      for (const [fd, text] of [[1, 'out\n'], [2, 'err\n']]) {
        const b = new TextEncoder().encode(text);
        try {
          if (io.files.has(fd)) io.files.get(fd)(b); else io.terminal(b);
        } catch (e) {
          // GuestRunner.fdWrite hands the errno to the guest.
          if (typeof e.errno !== 'number') throw e;
          h.errnos.push(`${fd}:${e.errno}`);
        }
      }
      return 0;
    },
    setStatus: (s) => { h.status = s; },
  };
  return h;
}

test('N>&WORD: a descriptor, a bad descriptor, or an ambiguous redirect, as the shell says', async () => {
  const r = (fd, op, target) => ({ fd, op, target });
  const cases = [
    { name: '2>&1', redirects: [r(2, '>&', '1')], output: 'out\nerr\n', status: 0, started: true },
    { name: '>f 2>&1 (Shell.split\'s >&f)', redirects: [r(1, '>', 'f'), r(2, '>&', '1')], output: '', status: 0, started: true, file: 'out\nerr\n' },
    { name: '2>&f', redirects: [r(2, '>&', 'f')], output: 'f: ambiguous redirect\n', status: 1 },
    { name: '0>&f', redirects: [r(0, '>&', 'f')], output: 'f: ambiguous redirect\n', status: 1 },
    { name: '2>&1x', redirects: [r(2, '>&', '1x')], output: '1x: ambiguous redirect\n', status: 1 },
    { name: '2>&3', redirects: [r(2, '>&', '3')], output: '3: Bad file descriptor\n', status: 1 },
    { name: '>&-', redirects: [r(1, '>&', '-')], output: 'err\n', status: 0, started: true, errnos: ['1:9'] },
    { name: '2>&-', redirects: [r(2, '>&', '-')], output: 'out\n', status: 0, started: true, errnos: ['2:9'] },
    { name: '>&- 2>&-', redirects: [r(1, '>&', '-'), r(2, '>&', '-')], output: '', status: 0, started: true, errnos: ['1:9', '2:9'] },
    { name: '>&- 2>&1', redirects: [r(1, '>&', '-'), r(2, '>&', '1')], output: '1: Bad file descriptor\n', status: 1 },
    { name: '2>&- >&2', redirects: [r(2, '>&', '-'), r(1, '>&', '2')], output: '', status: 1 },
    { name: '2>f >&3', redirects: [r(2, '>', 'f'), r(1, '>&', '3')], output: '', status: 1, file: '3: Bad file descriptor\n' },
    { name: '<&0', redirects: [r(0, '>&', '0')], output: 'out\nerr\n', status: 0, started: true },
    { name: '<&-', redirects: [r(0, '>&', '-')], output: "0>&-: a guest's standard input cannot be closed here\n", status: 1 },
    { name: '2>&f after > g', redirects: [r(1, '>', 'g'), r(2, '>&', 'f')], output: 'f: ambiguous redirect\n', status: 1 },
  ];
  for (const c of cases) {
    const h = fakeHost();
    let shown = '';
    const res = await G.runGuestLine(h, 'g.wasm', new Uint8Array(), ['g.wasm'], c.redirects, '/w',
      (b) => { shown += new TextDecoder().decode(b); });
    assert.equal(res.output, c.output, `${c.name}: output`);
    assert.equal(shown, c.output, `${c.name}: on the terminal`);
    assert.equal(res.status, c.status, `${c.name}: status`);
    assert.equal(h.status, c.status, `${c.name}: the shell's $?`);
    assert.equal(h.started, c.started ?? false, `${c.name}: the guest started`);
    if (c.file !== undefined) assert.equal(h.files.get('/w/f'), c.file, `${c.name}: the file`);
    assert.deepEqual(h.errnos, c.errnos ?? [], `${c.name}: the guest's failed writes`);
  }
});
