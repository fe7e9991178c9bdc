// A guest's run (src/guestrun.ts) under node, without JSPI: ^C ends the
// guest at its next WASI call (status 130, as SIGINT), a guest past its
// CPU limit is stopped (152, as SIGXCPU), and fd_write on a redirected
// fd writes to its VFS file, the file's errors reaching the guest as
// WASI errnos (write(2)'s ENOSPC on a full tmpfs: mm/shmem.c
// shmem_write_begin -> shmem_get_folio -> -ENOSPC).
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
  dir = mkdtempSync(join(tmpdir(), 'vfscope-guestrun-'));
  const out = ts.transpileModule(readFileSync(join(src, 'guestrun.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, 'guestrun.mjs'), out);
  G = await import(pathToFileURL(join(dir, 'guestrun.mjs')).href);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a guest whose _start is body(imports, memory), returning what start resolved or threw. */
async function run(runner, imports, body) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const wrapped = runner.wrap(imports);
  const inst = { exports: { memory, _start: () => body(wrapped.wasi_snapshot_preview1, memory) } };
  try {
    await runner.start(inst, () => {});
    return 'returned';
  } catch (e) {
    return e;
  }
}

test('^C and the CPU limit end a guest at its next WASI call', async () => {
  const cases = [
    { name: '^C before a call', interrupt: 0, clock: [0, 0, 0], want: 130 },
    { name: 'past the CPU limit', interrupt: -1, clock: [0, 5, 11_000], want: 152 },
    { name: 'within the CPU limit', interrupt: -1, clock: [0, 5, 9_000], want: 'returned' },
  ];
  for (const c of cases) {
    const times = [...c.clock];
    const runner = new G.GuestRunner({ jspi: false, cpuLimitMs: 10_000, now: () => times.length > 1 ? times.shift() : times[0] });
    let calls = 0;
    const imports = { wasi_snapshot_preview1: { sched_yield: () => { calls++; return 0; } } };
    const r = await run(runner, imports, (w) => {
      if (c.interrupt === 0) runner.interrupt();
      w.sched_yield();
    });
    if (c.want === 'returned') {
      assert.equal(r, 'returned', c.name);
      assert.equal(calls, 1, `${c.name}: the call ran`);
    } else {
      assert.ok(r instanceof G.GuestKilled, `${c.name}: ${r}`);
      assert.equal(r.status, c.want, c.name);
      assert.equal(calls, 0, `${c.name}: the call did not run`);
    }
  }
});

test('fd_write on a redirected fd writes to its file; its errors reach the guest as WASI errnos', async () => {
  const cases = [
    // writer: what the file does with the bytes; want: the errno; n: nwritten after
    { name: 'written', fd: 1, writer: (b) => b.length, want: 0, n: 5, file: 'hello' },
    { name: 'a short write', fd: 1, writer: () => 2, want: 0, n: 2, file: 'hello' },
    { name: 'ENOSPC', fd: 1, writer: () => { throw Object.assign(new Error('ENOSPC'), { errno: 28 }); }, want: 51, n: 0xdead },
    { name: 'EFBIG', fd: 2, writer: () => { throw Object.assign(new Error('EFBIG'), { errno: 27 }); }, want: 22, n: 0xdead },
    { name: 'EDQUOT', fd: 1, writer: () => { throw Object.assign(new Error('EDQUOT'), { errno: 122 }); }, want: 19, n: 0xdead },
    { name: 'an errno without a row is EIO', fd: 1, writer: () => { throw Object.assign(new Error('ENODATA'), { errno: 61 }); }, want: 29, n: 0xdead },
    { name: 'a fd not redirected goes to the ABI', fd: 1, redirect: 2, writer: (b) => b.length, want: 77, n: 0xdead, abi: true },
  ];
  for (const c of cases) {
    const runner = new G.GuestRunner({ jspi: false });
    let got = '';
    runner.files.set(c.redirect ?? c.fd, (b) => { got += new TextDecoder().decode(b); return c.writer(b); });
    let abi = false;
    const imports = { wasi_snapshot_preview1: { fd_write: () => { abi = true; return 77; } } };
    let errno;
    let nwritten;
    await run(runner, imports, (w, memory) => {
      const dv = new DataView(memory.buffer);
      new Uint8Array(memory.buffer).set(new TextEncoder().encode('hel'), 100);
      new Uint8Array(memory.buffer).set(new TextEncoder().encode('lo'), 200);
      dv.setUint32(0, 100, true); dv.setUint32(4, 3, true);
      dv.setUint32(8, 200, true); dv.setUint32(12, 2, true);
      dv.setUint32(64, 0xdead, true);
      errno = w.fd_write(c.fd, 0, 2, 64);
      nwritten = dv.getUint32(64, true);
    });
    assert.equal(errno, c.want, c.name);
    assert.equal(nwritten, c.n, `${c.name}: nwritten`);
    assert.equal(abi, !!c.abi, `${c.name}: the ABI's fd_write called`);
    if (c.file) assert.equal(got, c.file, `${c.name}: the file got`);
  }
});
