// subscribe() and snapshot(): the trace schema from JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVFS } from "../dist/index.js";

test("subscribe delivers the events of each task's calls, in order", async () => {
  const vfs = await createVFS();
  const got = [];
  const unsubscribe = vfs.subscribe((evs) => got.push(...evs), { intervalMs: 0 });
  vfs.mkdir("/tmp/seen");
  vfs.writeFile("/tmp/seen/f", "x");
  assert.equal(got.length, 0, "delivered after the current task, not inside the call");
  await Promise.resolve();
  const kinds = got.map((e) => e.kind);
  assert.ok(kinds.includes("dentry.instantiate"));
  assert.ok(got.some((e) => e.kind === "dentry.instantiate" && e.name === "seen"));
  assert.ok(got.some((e) => e.kind === "page.add"), "writing the file adds a page");
  for (let i = 1; i < got.length; i++) assert.ok(got[i].seq > got[i - 1].seq, "in sequence");
  unsubscribe();
  const before = got.length;
  vfs.mkdir("/tmp/unseen");
  await Promise.resolve();
  vfs.flushEvents();
  assert.equal(got.length, before, "nothing after unsubscribing");
  vfs.dispose();
});

test("trace: true adds system call and lock events", async () => {
  const vfs = await createVFS({ trace: true });
  const got = [];
  vfs.subscribe((evs) => got.push(...evs), { intervalMs: 0 });
  vfs.rename("/tmp", "/tmp");
  vfs.flushEvents();
  assert.ok(got.some((e) => e.kind === "sys.enter" && e.op === "renameat2"), JSON.stringify(got.slice(0, 3)));
  assert.ok(got.some((e) => e.kind === "lock.acquire"));
  vfs.dispose();
});

test("a subscriber that falls behind gets a lost event, then resynchronises from a snapshot", async () => {
  const vfs = await createVFS();
  const got = [];
  vfs.subscribe((evs) => got.push(...evs), { ring: 16, intervalMs: 0 });
  const b = vfs.batch();
  for (let i = 0; i < 50; i++) b.mkdir(`/tmp/d${i}`);
  b.run();
  vfs.flushEvents();
  const lost = got.find((e) => e.kind === "lost");
  assert.ok(lost && lost.lost > 0, "a lost event with the count");
  const snap = vfs.snapshot();
  assert.ok(snap.seq >= got[got.length - 1].seq);
  vfs.dispose();
});

test("snapshot: the tree, the mounts, the counters", async () => {
  const vfs = await createVFS();
  vfs.mkdir("/tmp/snap");
  vfs.writeFile("/tmp/snap/f", new Uint8Array(3 * 4096));
  const s = vfs.snapshot();
  assert.equal(s.schema, "vfscope.trace/2");
  const byName = new Map(s.dentries.map((d) => [d.name, d]));
  const dir = byName.get("snap");
  const file = byName.get("f");
  assert.ok(dir && file);
  assert.equal(file.parent, dir.id);
  const inode = s.inodes.find((i) => i.id === file.inode);
  assert.equal(inode.size, 3 * 4096);
  const mapping = s.pages.find((m) => m.inode === file.inode);
  assert.equal(mapping.pages.length, 3);
  assert.deepEqual(s.mounts.map((m) => m.path).sort(), ["/", "/dev", "/proc"]);
  assert.ok(s.counters.nr_dentry > 0);
  vfs.dispose();
});

// A subscriber that calls the VFS makes events at each delivery. Those
// must wait for a macrotask (or the interval): as microtasks they would
// be delivered before any timer or I/O could run, forever. Each case's
// subscriber stops calling after limit deliveries, so that a failure
// ends; a timer must fire long before that.
const feedback = [
  // [name, subscribe options]
  ["with the default interval", {}],
  ["with no interval", { intervalMs: 0 }],
];
for (const [name, options] of feedback) {
  test(`a subscriber that calls the VFS lets timers run, ${name}`, async () => {
    const vfs = await createVFS({ trace: true });
    const limit = 5000;
    let d = 0;
    vfs.subscribe(() => {
      if (++d < limit) vfs.stat("/tmp");
    }, options);
    const fired = new Promise((resolve) => setTimeout(() => resolve(d), 20));
    vfs.stat("/");
    const seen = await fired;
    assert.ok(seen >= 1, "the first delivery came");
    assert.ok(seen < limit / 5, `${seen} deliveries before a 20 ms timer could run`);
    vfs.dispose();
  });
}

test("a flushEvents inside a subscriber keeps every subscriber's batches in order", async () => {
  const vfs = await createVFS({ trace: true });
  const seen = { a: [], b: [] };
  const tag = (evs) => (JSON.stringify(evs).includes("inner") ? "inner" : "outer");
  let n = 0;
  vfs.subscribe((evs) => {
    seen.a.push(tag(evs));
    if (++n === 1) {
      vfs.mkdir("/tmp/inner");
      vfs.flushEvents();
    }
  });
  vfs.subscribe((evs) => seen.b.push(tag(evs)));
  vfs.mkdir("/tmp/outer");
  vfs.flushEvents();
  assert.deepEqual(seen.a, ["outer", "inner"]);
  assert.deepEqual(seen.b, ["outer", "inner"]);
  vfs.dispose();
});
