// The playground's model (src/model.ts) applying events between
// snapshots, without a browser: model.ts, schema.ts and timeline.ts are
// compiled with TypeScript's transpiler into a temporary directory and
// imported. Runs under `node --test` with the library built (make web).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { createVFS } from '@vfscope/web';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir, State, Timeline, SCHEMA;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-model-'));
  for (const name of ['model', 'schema', 'timeline']) {
    const out = ts.transpileModule(readFileSync(join(src, `${name}.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText.replace(/from '\.\/(model|schema|timeline)'/g, "from './$1.mjs'");
    writeFileSync(join(dir, `${name}.mjs`), out);
  }
  ({ State } = await import(pathToFileURL(join(dir, 'model.mjs')).href));
  ({ Timeline } = await import(pathToFileURL(join(dir, 'timeline.mjs')).href));
  ({ SCHEMA } = await import(pathToFileURL(join(dir, 'schema.mjs')).href));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A snapshot of a root "/" and a file "f" (dentry 7, inode 9). */
function snapshot() {
  return {
    schema: SCHEMA, seq: 10, time: 0,
    dentries: [
      { id: 1, name: '/', parent: 1, dev: 33, inode: 2, ino: 1, count: 3, flags: 0x10000000, hashed: false, lru: false, bucket: 77 },
      { id: 7, name: 'f', parent: 1, dev: 33, inode: 9, ino: 4, count: 1, flags: 0x10000040, hashed: true, lru: false, bucket: 5021 },
    ],
    hash: { buckets: 16384, chains: [{ bucket: 5021, dentries: [7] }] },
    lru: [],
    inodes: [
      { id: 2, dev: 33, ino: 1, count: 1, nlink: 2, state: 0, size: 60, mode: 0o40755 },
      { id: 9, dev: 33, ino: 4, count: 1, nlink: 1, state: 0, size: 1, mode: 0o100644 },
    ],
    pages: [], tasks: [], mounts: [], reports: [],
    counters: { nr_dentry: 2, nr_unused: 0, nr_negative: 0, nr_inodes: 2, nr_free_inodes: 0 },
  };
}

const dentryEv = (seq, kind, count, extra = {}) => ({
  seq, time: seq, kind, task: 1, dentry: 7, parent: 1, name: 'f', inode: 9, ino: 4, dev: 33, flags: 0x10000040,
  ...(count ? { count } : {}), ...extra,
});
const inodeEv = (seq, kind, count, size, extra = {}) => ({
  seq, time: seq, kind, task: 1, inode: 9, ino: 4, dev: 33, mode: 0o100644, nlink: 1,
  ...(count ? { count } : {}), ...(size ? { size } : {}), ...extra,
});

test('the model applies dentry.count, inode.count and inode.size', () => {
  const cases = [
    { name: 'open: d_count 2', ev: dentryEv(11, 'dentry.count', 2), dcount: 2, icount: 1, size: 1 },
    { name: 'open again: 3', ev: dentryEv(12, 'dentry.count', 3), dcount: 3, icount: 1, size: 1 },
    { name: 'append: i_size 4096', ev: inodeEv(13, 'inode.size', 1, 4096), dcount: 3, icount: 1, size: 4096 },
    { name: 'append: i_size 10001', ev: inodeEv(14, 'inode.size', 1, 10001), dcount: 3, icount: 1, size: 10001 },
    { name: 'a stale event (seq already applied) is skipped', ev: dentryEv(12, 'dentry.count', 9), dcount: 3, icount: 1, size: 10001 },
    { name: 'link: i_count 2', ev: inodeEv(15, 'inode.count', 2, 10001), dcount: 3, icount: 2, size: 10001 },
    { name: 'truncate to 0: size absent is 0', ev: inodeEv(16, 'inode.size', 2, 0), dcount: 3, icount: 2, size: 0 },
    { name: 'closes: 2', ev: dentryEv(17, 'dentry.count', 2), dcount: 2, icount: 2, size: 0 },
    { name: 'closes: 1', ev: dentryEv(18, 'dentry.count', 1), dcount: 1, icount: 2, size: 0 },
    { name: 'unused: count absent is 0', ev: dentryEv(19, 'dentry.count', 0), dcount: 0, icount: 2, size: 0 },
  ];
  const st = State.fromSnapshot(snapshot());
  for (const c of cases) {
    st.apply(c.ev);
    const d = st.dentries.get(7), i = st.inodes.get(9);
    assert.equal(d.count, c.dcount, `${c.name}: d_count`);
    assert.equal(i.count, c.icount, `${c.name}: i_count`);
    assert.equal(i.size, c.size, `${c.name}: i_size`);
    // A count event changes the count only: the dentry stays hashed,
    // named and bound, as the snapshot had it.
    assert.equal(d.hashed, true, `${c.name}: hashed`);
    assert.equal(d.bucket, 5021, `${c.name}: bucket`);
    assert.equal(d.inode, 9, `${c.name}: inode`);
  }
});

test('inode.count op "unused" and "used" put the inode on and off the LRU', () => {
  const st = State.fromSnapshot(snapshot());
  const steps = [
    [inodeEv(11, 'inode.count', 0, 1, { op: 'unused', flags: 256 }), 0, true],
    [inodeEv(12, 'inode.count', 1, 1, { op: 'used', flags: 256 }), 1, false],
    [inodeEv(13, 'inode.count', 2, 1), 2, false],
  ];
  for (const [ev, count, lru] of steps) {
    st.apply(ev);
    assert.equal(st.inodes.get(9).count, count, `${ev.op ?? 'plain'}: i_count`);
    assert.equal(Boolean(st.inodes.get(9).lru), lru, `${ev.op ?? 'plain'}: on the LRU`);
  }
});

test('stepping a command of the real VFS shows true counts and sizes at every step', async () => {
  const vfs = await createVFS();
  vfs.writeFile('/tmp/f', 'x');
  const events = [];
  const unsubscribe = vfs.subscribe((evs) => events.push(...evs), { intervalMs: 0 });
  const before = vfs.snapshot();
  const fd1 = vfs.open('/tmp/f', 'a');
  const fd2 = vfs.open('/tmp/f', 'r');
  vfs.write(fd1, new Uint8Array(10000));
  const during = vfs.snapshot(); // two descriptors open, 10001 bytes
  vfs.close(fd2);
  vfs.ftruncate(fd1, 7);
  vfs.close(fd1);
  vfs.flushEvents();
  const after = vfs.snapshot();
  unsubscribe();

  const tl = new Timeline();
  tl.records.push({ line: 'test', output: '', status: 0, before, events, after, classes: [], edges: [] });
  const f = before.dentries.find((d) => d.name === 'f');
  const inodeOf = (s) => s.inodes.find((i) => i.id === f.inode);
  // The step at which the during-snapshot was taken: every event up to its seq.
  const k = events.filter((e) => e.seq <= during.seq).length;
  const mid = tl.stateAt({ cmd: 0, ev: k });
  assert.equal(mid.dentries.get(f.id).count, during.dentries.find((d) => d.id === f.id).count, 'd_count with both open');
  assert.equal(mid.dentries.get(f.id).count, f.count + 2);
  assert.equal(mid.inodes.get(f.inode).size, 10001, 'i_size after the append');
  assert.equal(mid.inodes.get(f.inode).size, inodeOf(during).size);
  // The last event, before the after-snapshot takes over.
  const last = tl.stateAt({ cmd: 0, ev: events.length - 1 });
  last.apply(events[events.length - 1]);
  for (const d of after.dentries) assert.equal(last.dentries.get(d.id)?.count, d.count, `d_count of ${d.name}`);
  for (const i of after.inodes) {
    assert.equal(last.inodes.get(i.id)?.count, i.count, `i_count of inode ${i.ino}`);
    assert.equal(last.inodes.get(i.id)?.size, i.size, `i_size of inode ${i.ino}`);
  }
  vfs.dispose();
});
