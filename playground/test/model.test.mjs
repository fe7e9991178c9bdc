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
let dir, State, Timeline, SCHEMA, shareOf, withGaps;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-model-'));
  for (const name of ['model', 'schema', 'timeline']) {
    const out = ts.transpileModule(readFileSync(join(src, `${name}.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText.replace(/from '\.\/(model|schema|timeline)'/g, "from './$1.mjs'");
    writeFileSync(join(dir, `${name}.mjs`), out);
  }
  ({ State } = await import(pathToFileURL(join(dir, 'model.mjs')).href));
  ({ Timeline, shareOf, withGaps } = await import(pathToFileURL(join(dir, 'timeline.mjs')).href));
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
    // A count event carries the rest of the dentry too (d_flags with
    // DCACHE_HASHED, its name, its inode): it stays hashed, named and bound.
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

// What a snapshot says of the dentries, inodes, pages, mounts and
// dentry LRUs, in the model's shape, for comparing the two.
const DENTRY_FIELDS = ['name', 'parent', 'dev', 'inode', 'ino', 'count', 'flags', 'hashed', 'lru', 'mountpoint'];
const INODE_FIELDS = ['dev', 'ino', 'mode', 'count', 'state', 'size', 'nlink', 'lru'];
// Every PG_* bit a snapshot shows: the LRU's (PG_lru, PG_active,
// PG_referenced) come with their own page events too.
const PG_BITS = ~0;

/** The differences between a model state and a snapshot, one line each. */
function diff(st, snap) {
  const out = [];
  const norm = (k, v) => (k === 'mountpoint' || k === 'lru' ? Boolean(v) : v ?? undefined);
  const sd = new Map(snap.dentries.map((d) => [d.id, d]));
  for (const [id, x] of sd) {
    const m = st.dentries.get(id);
    if (!m) { out.push(`dentry ${id} "${x.name}" missing from the model`); continue; }
    for (const k of DENTRY_FIELDS) {
      if (norm(k, m[k]) !== norm(k, x[k])) out.push(`dentry ${id} "${x.name}" ${k}: model ${m[k]}, snapshot ${x[k]}`);
    }
    if (x.hashed && m.bucket !== x.bucket) out.push(`dentry ${id} "${x.name}" bucket: model ${m.bucket}, snapshot ${x.bucket}`);
  }
  for (const [id, m] of st.dentries) if (!sd.has(id)) out.push(`dentry ${id} "${m.name}" in the model only`);
  const si = new Map(snap.inodes.map((i) => [i.id, i]));
  for (const [id, x] of si) {
    const m = st.inodes.get(id);
    if (!m) { out.push(`inode ${id} missing from the model`); continue; }
    for (const k of INODE_FIELDS) {
      if (norm(k, m[k]) !== norm(k, x[k])) out.push(`inode ${id} ${k}: model ${m[k]}, snapshot ${x[k]}`);
    }
  }
  for (const id of st.inodes.keys()) if (!si.has(id)) out.push(`inode ${id} in the model only`);
  const sp = new Map(snap.pages.map((m) => [m.inode, new Map(m.pages.map((p) => [p.index, p.flags & PG_BITS]))]));
  for (const id of new Set([...sp.keys(), ...st.pages.keys()])) {
    const a = st.pages.get(id) ?? new Map(), b = sp.get(id) ?? new Map();
    for (const ix of new Set([...a.keys(), ...b.keys()])) {
      const fa = a.has(ix) ? a.get(ix) & PG_BITS : undefined;
      if (fa !== b.get(ix)) out.push(`page ${ix} of inode ${id}: model ${fa}, snapshot ${b.get(ix)}`);
    }
  }
  const sm = new Map(snap.mounts.map((m) => [m.id, m]));
  for (const id of new Set([...sm.keys(), ...st.mounts.keys()])) {
    const a = st.mounts.get(id), b = sm.get(id);
    if (!a || !b) { out.push(`mount ${id}: in the model ${Boolean(a)}, in the snapshot ${Boolean(b)}`); continue; }
    for (const k of ['parent', 'dev', 'fstype', 'source', 'path', 'root', 'mountpoint', 'flags']) if (a[k] !== b[k]) out.push(`mount ${id} ${k}: model ${a[k]}, snapshot ${b[k]}`);
  }
  for (const l of snap.lru) {
    const a = (st.lru.get(l.dev) ?? []).join(','), b = l.dentries.join(',');
    if (a !== b) out.push(`LRU of dev ${l.dev}: model [${a}], snapshot [${b}]`);
  }
  return out;
}

const enc = (s) => new TextEncoder().encode(s);

// Commands run one after another on one VFS; after each, the model built
// from the snapshot before it plus the command's events must equal the
// snapshot after it. Linux's behaviour the snapshots follow:
// fs/namespace.c (do_new_mount -> lock_mount -> d_set_mounted sets
// DCACHE_MOUNTED on the mount point; umount_tree -> dissolve the
// mountpoint, clearing it), fs/dcache.c (__d_move: with exchange,
// swap_names and target->d_parent = old_parent, then __d_rehash of both;
// without, the target keeps its name and stays unhashed; dget/dput and
// the path walk's dentry_lru_del/DCACHE_REFERENCED), rename(2) for
// RENAME_EXCHANGE ("atomically exchange oldpath and newpath").
const COMMANDS = [
  { name: 'mkdir /mnt /d1 /d2', run: (v) => { v.mkdir('/mnt'); v.mkdir('/d1'); v.mkdir('/d2'); } },
  { name: 'mount tmpfs on /mnt: /mnt becomes a mountpoint', run: (v) => v.mount('none', '/mnt', 'tmpfs'), check: (st) => {
    const mnt = [...st.dentries.values()].find((d) => d.name === 'mnt' && d.parent === 1);
    assert.ok(mnt?.mountpoint, 'the model marks /mnt a mountpoint');
  } },
  { name: 'write a file under the mount', run: (v) => v.writeFile('/mnt/x', new Uint8Array(5000)) },
  // MS_REMOUNT 32, MS_RDONLY 1 (include/uapi/linux/mount.h).
  { name: 'remount /mnt read-only (mount.change)', run: (v) => v.mount('none', '/mnt', 'tmpfs', 32 | 1) },
  { name: 'remount /mnt read-write', run: (v) => v.mount('none', '/mnt', 'tmpfs', 32) },
  { name: 'open and close it (DCACHE_REFERENCED, counts)', run: (v) => v.close(v.open('/mnt/x', 'r')) },
  { name: 'umount /mnt: no longer a mountpoint', run: (v) => v.umount('/mnt'), check: (st) => {
    const mnt = [...st.dentries.values()].find((d) => d.name === 'mnt' && d.parent === 1);
    assert.ok(!mnt?.mountpoint, 'the model unmarks /mnt');
  } },
  { name: 'create /d1/aaa and /d2/bbb', run: (v) => { v.writeFile('/d1/aaa', 'x'); v.writeFile('/d2/bbb', 'yy'); } },
  { name: 'RENAME_EXCHANGE /d1/aaa <-> /d2/bbb: the dentries swap names and parents', run: (v) => v.rename('/d1/aaa', '/d2/bbb', 2), check: (st) => {
    // The two paths stay; each now names the other's inode (/d1/aaa held 1
    // byte and /d2/bbb 2).
    const paths = [...st.dentries.values()].filter((d) => d.name === 'aaa' || d.name === 'bbb')
      .map((d) => `${st.path(d.id)} ${st.inodes.get(d.inode)?.size}`).sort();
    assert.deepEqual(paths, ['/d1/aaa 2', '/d2/bbb 1']);
  } },
  { name: 'rename /d1/aaa over /d2/bbb (d_move)', run: (v) => v.rename('/d1/aaa', '/d2/bbb') },
  { name: 'stat a missing name (a negative dentry)', run: (v) => { try { v.stat('/d1/nope'); } catch { /* ENOENT */ } } },
  { name: 'unlink /d2/bbb', run: (v) => v.unlink('/d2/bbb') },
  { name: 'write, then drop_caches', run: (v) => { v.writeFile('/d1/big', new Uint8Array(9000)); v.writeFile('/proc/sys/vm/drop_caches', enc('2')); } },
  { name: 'read it back', run: (v) => v.readFile('/d1/big') },
  { name: 'mkdir /d1/sub and mount on it, then rename /d1 to /d3 (mount.change: the path)', run: (v) => {
    v.mkdir('/d1/sub');
    v.mount('none', '/d1/sub', 'tmpfs');
    v.rename('/d1', '/d3');
  } },
  { name: 'open /proc/self/mountinfo (procfs inodes)', run: (v) => v.readFile('/proc/self/mountinfo') },
];

test('the model replays each command\'s events to the snapshot after it', async () => {
  const vfs = await createVFS();
  const events = [];
  const unsubscribe = vfs.subscribe((evs) => events.push(...evs), { intervalMs: 0 });
  for (const c of COMMANDS) {
    vfs.flushEvents();
    events.length = 0;
    const before = vfs.snapshot();
    vfs.flushEvents();
    c.run(vfs);
    vfs.flushEvents();
    // Taking a snapshot drains the LRU's per-task batches, which sets
    // PG_lru on the pages they held: those events are numbered before the
    // snapshot's seq, so they belong to the state it shows.
    const after = vfs.snapshot();
    vfs.flushEvents();
    const st = State.fromSnapshot(before);
    for (const e of events) if (e.seq <= after.seq) st.apply(e);
    assert.deepEqual(diff(st, after), [], `${c.name}: the model after ${events.length} events`);
    c.check?.(st);
  }
  unsubscribe();
  vfs.dispose();
});

// A RENAME_EXCHANGE of /d1/aaa (dentry 14, inode 14) and /d2/bbb (dentry
// 15, inode 15), recorded from the VFS: both unhashed, both rehashed under
// their swapped names and parents (fs/dcache.c __d_move with exchange:
// swap_names, target->d_parent = old_parent, __d_rehash(target)), then
// the move of 14 onto 15's old name.
test('dentry.move of an exchange leaves the target with the name it was rehashed under', () => {
  const D1 = 12, D2 = 13;
  const snap = {
    schema: SCHEMA, seq: 56, time: 0,
    dentries: [
      { id: 1, name: '/', parent: 1, dev: 1, inode: 1, ino: 1, count: 5, flags: 0x10000000, hashed: true, lru: false, bucket: 77 },
      { id: D1, name: 'd1', parent: 1, dev: 1, inode: 12, ino: 5, count: 1, flags: 0x10000000, hashed: true, lru: false, bucket: 1 },
      { id: D2, name: 'd2', parent: 1, dev: 1, inode: 13, ino: 6, count: 1, flags: 0x10000000, hashed: true, lru: false, bucket: 2 },
      { id: 14, name: 'aaa', parent: D1, dev: 1, inode: 14, ino: 7, count: 2, flags: 215957576, hashed: true, lru: false, bucket: 10383 },
      { id: 15, name: 'bbb', parent: D2, dev: 1, inode: 15, ino: 8, count: 2, flags: 215957576, hashed: true, lru: false, bucket: 23890 },
    ],
    hash: { buckets: 32768, chains: [] }, lru: [], inodes: [], pages: [], tasks: [], mounts: [], reports: [],
    counters: { nr_dentry: 5, nr_unused: 0, nr_negative: 0, nr_inodes: 0, nr_free_inodes: 0 },
  };
  const ev = (seq, kind, dentry, parent, name, bucket, flags, extra = {}) => ({
    seq, time: seq, kind, task: 1, dentry, parent, name, inode: dentry, ino: dentry - 7, dev: 1, flags, count: 2,
    ...(bucket ? { bucket } : {}), ...extra,
  });
  const steps = [
    { ev: ev(57, 'dentry.unhash', 14, D1, 'aaa', 10383, 205520968), want: { 14: [D1, 'aaa', false], 15: [D2, 'bbb', true] } },
    { ev: ev(58, 'dentry.unhash', 15, D2, 'bbb', 23890, 205520968), want: { 14: [D1, 'aaa', false], 15: [D2, 'bbb', false] } },
    { ev: ev(59, 'dentry.hash', 15, D1, 'aaa', 10383, 473956424), want: { 14: [D1, 'aaa', false], 15: [D1, 'aaa', true] } },
    { ev: ev(60, 'dentry.hash', 14, D2, 'bbb', 23890, 473956424), want: { 14: [D2, 'bbb', true], 15: [D1, 'aaa', true] } },
    { ev: ev(61, 'dentry.move', 14, D2, 'bbb', 0, 473956424, { target: 15 }), want: { 14: [D2, 'bbb', true], 15: [D1, 'aaa', true] } },
  ];
  const st = State.fromSnapshot(snap);
  for (const s of steps) {
    st.apply(s.ev);
    for (const [id, [parent, name, hashed]] of Object.entries(s.want)) {
      const d = st.dentries.get(Number(id));
      assert.deepEqual([d.parent, d.name, d.hashed], [parent, name, hashed], `after seq ${s.ev.seq} (${s.ev.kind}): dentry ${id}`);
    }
  }
  assert.equal(st.path(14), '/d2/bbb');
  assert.equal(st.path(15), '/d1/aaa');
});

// dentry.count carries d_flags after the change like every dentry event
// (docs/trace-schema.md, "Dentries"): the flags it brings replace the
// model's, and hashed, lru and mountpoint follow them as the snapshot's do.
test('every dentry event, dentry.count included, sets d_flags and what follows from them', () => {
  const MOUNTED = 0x10000, HASHED = 0x10000000, LRU = 0x80000, REF = 0x40, PAR = 0x1000000;
  const cases = [
    { name: 'a mount takes a reference on its mount point', kind: 'dentry.count', flags: HASHED | REF | MOUNTED, count: 2, mountpoint: true, hashed: true, lru: false },
    { name: 'umount drops it and clears DCACHE_MOUNTED', kind: 'dentry.count', flags: HASHED | REF, count: 1, mountpoint: false, hashed: true, lru: false },
    { name: 'an in-lookup dentry (d_alloc_parallel)', kind: 'dentry.count', flags: PAR, count: 1, mountpoint: false, hashed: false, lru: false },
    { name: 'lookup done: hashed', kind: 'dentry.hash', flags: HASHED, count: 1, mountpoint: false, hashed: true, lru: false, bucket: 5021 },
    { name: 'last reference dropped', kind: 'dentry.count', flags: HASHED | REF, count: 0, mountpoint: false, hashed: true, lru: false },
    { name: 'kept on the LRU', kind: 'dentry.lru_add', flags: HASHED | REF | LRU, count: 0, mountpoint: false, hashed: true, lru: true },
    { name: 'used again: a count event with the LRU bit gone', kind: 'dentry.count', flags: HASHED | REF, count: 1, mountpoint: false, hashed: true, lru: false },
  ];
  const st = State.fromSnapshot(snapshot());
  let seq = 11;
  for (const c of cases) {
    st.apply(dentryEv(seq++, c.kind, c.count, { flags: c.flags, ...(c.bucket ? { bucket: c.bucket } : {}) }));
    const d = st.dentries.get(7);
    assert.equal(d.flags, c.flags, `${c.name}: d_flags`);
    assert.equal(d.count, c.count, `${c.name}: d_count`);
    assert.equal(Boolean(d.mountpoint), c.mountpoint, `${c.name}: mountpoint`);
    assert.equal(d.hashed, c.hashed, `${c.name}: hashed`);
    assert.equal(d.lru, c.lru, `${c.name}: lru`);
    assert.deepEqual(st.lru.get(33) ?? [], c.lru ? [7] : [], `${c.name}: the LRU list`);
  }
});

// Inode events carry dev, ino and mode as well as the counts: the latest
// event's values are the inode's (docs/trace-schema.md, "Inodes").
test('inode events set ino, dev and mode as well as counts', () => {
  const st = State.fromSnapshot(snapshot());
  const cases = [
    { ev: inodeEv(11, 'inode.alloc', 1, 0, { inode: 20, ino: 4, mode: 0 }), ino: 4, mode: 0 },
    { ev: inodeEv(12, 'inode.state', 1, 0, { inode: 20, ino: 4026532105, mode: 0o100600, flags: 256, op: 'set', bits: 256 }), ino: 4026532105, mode: 0o100600 },
  ];
  for (const c of cases) {
    st.apply(c.ev);
    const i = st.inodes.get(20);
    assert.equal(i.ino, c.ino, `${c.ev.kind}: ino`);
    assert.equal(i.mode, c.mode, `${c.ev.kind}: mode`);
    assert.equal(i.dev, 33, `${c.ev.kind}: dev`);
  }
});

// A timeline file is checked whole, and every record's states built, by
// Timeline.fromFile: a bad file throws an Error naming the record and
// what is wrong, so the page, which replaces its timeline only with
// what fromFile returns, keeps its own session (playground/src/main.ts).
test('a malformed timeline file is refused whole, naming what is wrong', () => {
  const good = () => ({
    line: 'touch /tmp/f', output: '', status: 0, before: snapshot(), events: [], after: { ...snapshot(), seq: 12 }, classes: [], edges: [],
  });
  const file = (...records) => JSON.stringify({ schema: SCHEMA, kind: 'vfscope.timeline/1', records });
  const t = Timeline.fromFile(file(good(), good()));
  assert.equal(t.records.length, 2, 'a good file loads');
  assert.equal(t.stateAt(t.last()).seq, 12);
  const cases = [
    ['not JSON', '{', /not a vfscope timeline file/],
    ['another kind', JSON.stringify({ schema: SCHEMA, kind: 'x', records: [] }), /not a vfscope timeline file/],
    ['a null event', file(good(), { ...good(), events: [null] }), /record 2 of 2 \("touch \/tmp\/f"\): event 1 is not an object/],
    ['before null', file({ ...good(), before: null }), /record 1 of 1 .*before is not a snapshot object/],
    ['an event without kind', file({ ...good(), events: [{ seq: 11 }] }), /event 1 has no kind/],
    ['dentries a number', file({ ...good(), after: { ...snapshot(), dentries: 5 } }), /after\.dentries is not a list/],
    ['a record without line', file({ ...good(), line: 3 }), /record 1 of 1: line is not a string/],
    ['pages of a mapping not a list', file({ ...good(), before: { ...snapshot(), pages: [{ inode: 9, pages: 1 }] } }), /before\.pages\[0\]\.pages is not a list/],
    ['classes not names', file({ ...good(), classes: [1] }), /classes is not a list of names/],
    ['a record not an object', file(7), /record 1 of 1 is not an object/],
    // The fields the views read (a name sorted with localeCompare, ids
    // that index maps), named when they are of another type.
    ['a dentry name a number', file({ ...good(), before: { ...snapshot(), dentries: [{ ...snapshot().dentries[0], name: 5 }] } }),
      /record 1 of 1 \("touch \/tmp\/f"\): before\.dentries\[0\]\.name is not a string/],
    ['a dentry without id', file({ ...good(), after: { ...snapshot(), dentries: [{ ...snapshot().dentries[1], id: undefined }] } }),
      /after\.dentries\[0\]\.id is not a number/],
    ['a dentry parent a string', file({ ...good(), before: { ...snapshot(), dentries: [{ ...snapshot().dentries[1], parent: '1' }] } }),
      /before\.dentries\[0\]\.parent is not a number/],
    ['a dentry count a string', file({ ...good(), before: { ...snapshot(), dentries: [{ ...snapshot().dentries[1], count: 'x' }] } }),
      /before\.dentries\[0\]\.count is not a number/],
    ['an inode size a string', file({ ...good(), after: { ...snapshot(), inodes: [{ ...snapshot().inodes[1], size: '1' }] } }),
      /after\.inodes\[0\]\.size is not a number/],
    ['an inode rwsem_writer a string', file({ ...good(), after: { ...snapshot(), inodes: [{ ...snapshot().inodes[1], rwsem_writer: 'me' }] } }),
      /after\.inodes\[0\]\.rwsem_writer is not a number/],
    ['a held lock class a number', file({ ...good(), before: { ...snapshot(), tasks: [{ pid: 1, comm: 'sh', held: [{ class: 7, mode: 'exclusive' }] }] } }),
      /before\.tasks\[0\]\.held\[0\]\.class is not a string/],
    ['an edge to a number', file({ ...good(), edges: [{ from: 'a', to: 2 }] }), /edges\[0\]\.to is not a string/],
    ['a method event holding a number class', file({ ...good(), events: [{ seq: 11, time: 11, kind: 'method.enter', op: 'x', held: [{ class: 3 }] }] }),
      /event 1\.held\[0\]\.class is not a string/],
    ['a method event held not a list', file({ ...good(), events: [{ seq: 11, time: 11, kind: 'method.enter', op: 'x', held: 'a' }] }),
      /event 1\.held is not a list/],
    ['a lock event class a number', file({ ...good(), events: [{ seq: 11, time: 11, kind: 'lock.acquire', task: 1, class: 4 }] }),
      /event 1\.class is not a string/],
    ['a dentry event name a number', file({ ...good(), events: [dentryEv(11, 'dentry.count', 2, { name: 9 })] }),
      /event 1\.name is not a string/],
    ['a mount path a number', file({ ...good(), before: { ...snapshot(), mounts: [{ id: 1, dev: 33, path: 5 }] } }),
      /before\.mounts\[0\]\.path is not a string/],
    ['a report text missing', file({ ...good(), events: [{ seq: 11, time: 11, kind: 'report', report: { type: 'x' } }] }),
      /event 1\.report\.text is not a string/],
  ];
  for (const [name, text, want] of cases) {
    assert.throws(() => Timeline.fromFile(text), (e) => e instanceof Error && want.test(e.message), name);
  }
});

// A "lost" event (the ring's, or the live server's resync) means the
// events before it are not all there: a state past it says how many it
// misses, and the command's end (its after-snapshot) is exact again.
test('a state past a lost event says what it misses; the end of the command is exact', () => {
  const rec = {
    line: 'cp a b', output: '', status: 0, before: snapshot(),
    events: [dentryEv(11, 'dentry.count', 2), { seq: 500, time: 500, kind: 'lost', lost: 488 }, dentryEv(501, 'dentry.count', 3)],
    after: { ...snapshot(), seq: 501 }, classes: [], edges: [],
  };
  const t = new Timeline();
  t.records = [rec];
  const cases = [
    { ev: 0, lost: 0 }, { ev: 1, lost: 0 }, { ev: 2, lost: 488 }, { ev: 3, lost: 488 },
  ];
  for (const c of cases) {
    const st = t.stateAt({ cmd: 0, ev: c.ev });
    // ev 3 is the end: the after-snapshot, exact.
    assert.equal(st.lost, c.ev === 3 ? 0 : c.lost, `step ${c.ev}`);
  }
  const st = State.fromSnapshot(snapshot());
  st.apply({ seq: 20, time: 20, kind: 'lost' });
  assert.equal(st.lost, 1, 'a lost event without a count still marks the state');
});

// lockdep reports a circular dependency inside the attempt that would
// close the cycle (kernel/locking/lockdep.c: __lock_acquire ->
// validate_chain -> check_prevs_add -> check_noncircular ->
// print_circular_bug), before the lock is taken: the step of the report
// draws that dependency, held -> wanted.
test('a circular-dependency report adds the dependency that closes the cycle', () => {
  const text = (want, held) => '\nWARNING: possible circular locking dependency detected\n' +
    `task 4 (abba-2) is trying to acquire lock:\n  ${want} (exclusive) at x.go:57\n\nbut task already holds lock:\n  ${held} (exclusive) at x.go:56\n`;
  const cases = [
    { name: 'AB-BA', type: 'possible circular locking dependency detected', text: text('A', 'B'), edge: 'B->A' },
    { name: 'a subclass', type: 'possible circular locking dependency detected', text: text('&i_mutex/1', '&s_lock'), edge: '&s_lock->&i_mutex', known: ['&i_mutex'] },
    { name: 'another report adds none', type: 'possible recursive locking detected', text: text('A', 'B'), edge: undefined },
  ];
  for (const c of cases) {
    const st = State.fromSnapshot(snapshot());
    for (const k of c.known ?? []) st.classes.add(k);
    st.apply({ seq: 30, time: 30, kind: 'report', report: { type: c.type, task: 'task 4 (abba-2)', text: c.text } });
    const edges = [...st.edges.values()].map((e) => `${e.from}->${e.to}`);
    assert.deepEqual(edges, c.edge ? [c.edge] : [], c.name);
    assert.equal(st.reports.length, 1, c.name);
  }
});

// The lock graph draws red the classes of a reported cycle: the ones
// its dependency chain names (vfs/lock/report.go circularText, as
// print_circular_bug), whole, not a class whose name is part of another
// one's, nor one only in the held-locks list at the end.
test('the classes of a reported cycle are the ones its chain names', () => {
  // want is taken while holding held; the chain already has want -> held.
  const circular = (want, held, others) => '\n======\nWARNING: possible circular locking dependency detected\n------\n' +
    `task 4 (abba-2) is trying to acquire lock:\n  ${want} (exclusive) at x.go:57\n\n` +
    `but task already holds lock:\n  ${held} (exclusive) at x.go:56\n\n` +
    'which lock already depends on the new lock.\n\nthe existing dependency chain (in reverse order) is:\n\n' +
    `-> #1 (${held}):\n       taken by task 3 (abba-1) at x.go:40\n       while holding ${want} taken at x.go:39\n` +
    `-> #0 (${want}):\n       being taken by task 4 (abba-2) at x.go:57\n       while holding ${held} taken at x.go:56\n\n` +
    'other info that might help us debug this:\n\n Possible unsafe locking scenario:\n\n' +
    `  lock(${held});\n                               lock(${want});\n\n *** DEADLOCK ***\n\n` +
    `${others.length + 1} locks held by task 4 (abba-2):\n #0: ${held} (exclusive)\n` +
    others.map((o, i) => ` #${i + 1}: ${o} (shared)\n`).join('');
  const known = ['&i_mutex', '&i_mutex_dir', '&s_lock', '&sb->s_umount', 'B'];
  const cases = [
    { name: 'a class inside a longer name', type: 'possible circular locking dependency detected', text: circular('&i_mutex_dir', '&s_lock', []), want: ['&i_mutex_dir', '&s_lock'] },
    { name: 'a class only held', type: 'possible circular locking dependency detected', text: circular('&i_mutex', '&s_lock', ['&sb->s_umount']), want: ['&i_mutex', '&s_lock'] },
    { name: 'a subclass is its class', type: 'possible circular locking dependency detected', text: circular('&i_mutex/1', 'B', []), want: ['&i_mutex', 'B'] },
  ];
  for (const c of cases) {
    const st = State.fromSnapshot(snapshot());
    for (const k of known) st.classes.add(k);
    st.apply({ seq: 30, time: 30, kind: 'report', report: { type: c.type, task: 'task 4 (abba-2)', text: c.text } });
    assert.deepEqual([...st.reportedClasses()].sort(), [...c.want].sort(), c.name);
  }
});

// Reports of other kinds name their locks in their own lines (vfs/lock/
// report.go): recursive locking (print_deadlock_bug) the lock taken and
// the one held, sleeping in atomic context (__might_sleep) the lock taken
// and the spinlock that made the task atomic, not the other locks held.
// The texts are the validator's own, for a spinlock taken twice and a
// mutex taken under a spinlock under another mutex.
test('the classes of a recursive-locking or sleeping-in-atomic report are the ones it is about', () => {
  const known = ['&dentry->d_lock', '&inode->i_lock', '&sb->s_type->i_mutex_key', '&s->s_vfs_rename_mutex', '&i_mutex'];
  const cases = [
    {
      name: 'recursive locking', type: 'possible recursive locking detected',
      text: '\n======================================================\nWARNING: possible recursive locking detected\n------------------------------------------------------\ntask 1 (sh) is trying to acquire lock:\n  &dentry->d_lock (exclusive) at vfs/dcache/x.go:18\n\nbut task is already holding lock:\n  &dentry->d_lock (exclusive) at vfs/dcache/x.go:17\n\nother info that might help us debug this:\n Possible unsafe locking scenario:\n\n       CPU0\n       ----\n  lock(&dentry->d_lock);\n  lock(&dentry->d_lock);\n\n *** DEADLOCK ***\n\n May be due to missing lock nesting notation\n\n1 lock held by task 1 (sh):\n #0: &dentry->d_lock (exclusive) at vfs/dcache/x.go:17\n',
      want: ['&dentry->d_lock'],
    },
    {
      name: 'recursive locking, a subclass', type: 'possible recursive locking detected',
      text: '\n======================================================\nWARNING: possible recursive locking detected\n------------------------------------------------------\ntask 1 (sh) is trying to acquire lock:\n  &i_mutex/1 (exclusive) at x.go:18\n\nbut task is already holding lock:\n  &inode->i_lock (exclusive) at x.go:17\n\nother info that might help us debug this:\n Possible unsafe locking scenario:\n\n       CPU0\n       ----\n  lock(&inode->i_lock);\n  lock(&i_mutex/1);\n\n *** DEADLOCK ***\n\n May be due to missing lock nesting notation\n\n2 locks held by task 1 (sh):\n #0: &s->s_vfs_rename_mutex (exclusive) at x.go:16\n #1: &inode->i_lock (exclusive) at x.go:17\n',
      want: ['&i_mutex', '&inode->i_lock'],
    },
    {
      name: 'sleeping in atomic context', type: 'sleeping function called from invalid context',
      text: '\nBUG: sleeping function called from invalid context at vfs/x.go:29\nin_atomic(): 1, task: task 1 (sh)\nsleeping: acquiring &sb->s_type->i_mutex_key\natomic because holding spinlock &inode->i_lock (exclusive) at vfs/x.go:28\n2 locks held by task 1 (sh):\n #0: &s->s_vfs_rename_mutex (exclusive) at vfs/x.go:27\n #1: &inode->i_lock (exclusive) at vfs/x.go:28\n',
      want: ['&sb->s_type->i_mutex_key', '&inode->i_lock'],
    },
  ];
  for (const c of cases) {
    const st = State.fromSnapshot(snapshot());
    for (const k of known) st.classes.add(k);
    st.apply({ seq: 30, time: 30, kind: 'report', report: { type: c.type, task: 'task 1 (sh)', text: c.text } });
    assert.deepEqual([...st.reportedClasses()].sort(), [...c.want].sort(), c.name);
  }
});

// A share link replays commands on a fresh VFS: it must carry the
// commands of the timeline's last VFS and that VFS's budget, or the
// replay does not rebuild the state (a reclaim lesson's 1 MiB budget).
test('a share link of a timeline is its last VFS: its commands from its boot and its budget', () => {
  const rec = (line, seq0, seq1, extra = {}) => ({
    line, output: '', status: 0, before: { ...snapshot(), seq: seq0 }, events: [], after: { ...snapshot(), seq: seq1 }, classes: [], edges: [], ...extra,
  });
  const withMem = (kb) => ({ ...snapshot(), counters: { ...snapshot().counters, meminfo: { MemTotal: kb } } });
  const cases = [
    {
      name: 'records with vfs and mem',
      records: [rec('a', 1, 5, { vfs: 0, mem: null }), rec('b', 2, 9, { vfs: 1, mem: 1 << 20 }), rec('c', 9, 12, { vfs: 1, mem: 1 << 20 })],
      step: { cmd: 2, ev: 0 },
      want: { cmds: ['b', 'c'], mem: 1 << 20, step: { cmd: 1, ev: 0 } },
    },
    {
      name: 'the default budget',
      records: [rec('a', 1, 5, { vfs: 0, mem: null }), rec('b', 5, 7, { vfs: 0, mem: null })],
      step: { cmd: 0, ev: 1 },
      want: { cmds: ['a', 'b'], mem: undefined, step: { cmd: 0, ev: 1 } },
    },
    {
      name: 'an older file: the seq starting again is a new VFS, MemTotal its budget',
      records: [rec('a', 1, 500), rec('b', 3, 40), { ...rec('c', 40, 90), after: { ...withMem(1024), seq: 90 } }],
      step: { cmd: 0, ev: 0 },
      want: { cmds: ['b', 'c'], mem: 1 << 20 },
    },
  ];
  for (const c of cases) assert.deepEqual(shareOf(c.records, c.step), c.want, c.name);
});

// Every event takes the next number (vfs/trace Bus.Emit): numbers
// missing between a command's snapshots are events the page never got,
// and its record says so where they went missing, with how many.
test('a record marks where its events have gaps, and how many are missing', () => {
  const ev = (seq, kind = 'dentry.add') => ({ seq, time: seq, kind });
  const lost = (seq, n) => ({ seq, time: seq, kind: 'lost', lost: n });
  const cases = [
    { name: 'whole', events: [ev(11), ev(12), ev(13)], from: 10, to: 13, want: [ev(11), ev(12), ev(13)] },
    { name: 'a gap inside', events: [ev(11), ev(15)], from: 10, to: 15, want: [ev(11), { ...lost(14, 3), time: 15 }, ev(15)] },
    { name: 'a gap at the end (not arrived)', events: [ev(11)], from: 10, to: 20, want: [ev(11), { ...lost(20, 9), time: 11 }] },
    { name: 'a ring\'s lost event covers its gap', events: [ev(11), lost(30, 19), ev(31)], from: 10, to: 31, want: [ev(11), lost(30, 19), ev(31)] },
    { name: 'outside the command', events: [ev(9), ev(10), ev(11), ev(12)], from: 10, to: 11, want: [ev(11)] },
    { name: 'none at all', events: [], from: 10, to: 12, want: [{ ...lost(12, 2), time: 0 }] },
  ];
  for (const c of cases) assert.deepEqual(withGaps(c.events, c.from, c.to), c.want, c.name);
});
