// Calls that cannot finish inside a synchronous call: one VFS's stuck
// operation must not take down the runtime or the other VFSes. Linux
// ends flock(2)'s wait with a signal (wait_event_interruptible in
// fs/locks.c: EINTR, and the shell's job ends with 128+SIGINT = 130);
// sb_start_write on a frozen filesystem is uninterruptible, so that call
// fails with an error naming why and only its VFS becomes unusable.
import assert from "node:assert/strict";
import { createVFS, wasiImports, BridgeError } from "../dist/index.js";
import { mod, test } from "./busybox.mjs";


// frozen makes a VFS with a billyfs on /mnt that fsfreeze froze (tmpfs
// cannot be frozen).
async function frozen() {
  const v = await createVFS();
  v.mkdir("/mnt");
  assert.equal(v.shell().run("mount -t billyfs -o store=mem none /mnt && fsfreeze -f /mnt").status, 0);
  return v;
}

const cases = [
  {
    name: "a flock behind its own shell's lock is interrupted (status 130)",
    make: () => createVFS(),
    stall: (v) => v.shell().run("flock /tmp/l -c 'flock /tmp/l -c true'"),
    interrupted: (r) => assert.equal(r.status, 130),
  },
  {
    name: "a shell write to a frozen filesystem is abandoned, its VFS unusable",
    make: frozen,
    stall: (v) => v.shell().run("touch /mnt/x"),
    abandoned: /VFS \d+: shellRun sleeps in a wait no signal ends/,
  },
  {
    name: "a writeFile to a frozen filesystem is abandoned",
    make: frozen,
    stall: (v) => v.writeFile("/mnt/x", "data"),
    abandoned: /writeFile sleeps in a wait no signal ends/,
  },
  {
    name: "a WASI guest's write to a frozen filesystem is abandoned",
    make: frozen,
    stall: (v) => {
      const w = wasiImports(v, { args: ["busybox", "touch", "/mnt/x"] });
      return w.start(new WebAssembly.Instance(mod, w.imports));
    },
    abandoned: /a WASI call sleeps in a wait no signal ends/,
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const b = await createVFS();
    b.writeFile("/tmp/precious", "unsaved work");
    const a = await c.make();
    if (c.abandoned) {
      assert.throws(() => c.stall(a), (e) => e instanceof BridgeError && c.abandoned.test(e.message));
      assert.throws(() => a.stat("/"), (e) => e instanceof BridgeError && /unusable/.test(e.message));
      a.dispose();
    } else {
      c.interrupted(c.stall(a));
      // The signal was delivered: the same VFS locks and waits again.
      assert.equal(a.shell().run("flock /tmp/l -c 'echo again'").stdout, "again\n");
      a.writeFile("/tmp/after", "ok");
      assert.equal(a.readFile("/tmp/after", "utf8"), "ok");
      a.dispose();
    }
    // The other VFS, and new ones, work as before.
    assert.equal(b.readFile("/tmp/precious", "utf8"), "unsaved work");
    assert.equal(typeof b.snapshot().seq, "number");
    const n = await createVFS();
    n.writeFile("/f", "new");
    assert.equal(n.readFile("/f", "utf8"), "new");
    const w = wasiImports(n, { args: ["busybox", "cat", "/f"] });
    assert.equal(w.start(new WebAssembly.Instance(mod, w.imports)), 0);
    assert.equal(w.stdout, "new");
    n.dispose();
    b.dispose();
  });
}

// A call that only sleeps with a timeout is not stalled: reclaim
// throttling (mm/vmscan.c's reclaim_throttle, a bounded wait of HZ/10)
// ends by itself, so the copy runs to its ENOMEM, the rest of the line
// runs, and nothing is interrupted or abandoned.
test("a line that sleeps in reclaim throttling is neither interrupted nor abandoned", async () => {
  const v = await createVFS({ memoryBudget: 16 << 20 });
  v.mkdir("/mnt");
  v.mkdir("/b");
  const sh = v.shell();
  assert.equal(sh.run("mount -t tmpfs -o size=0 none /mnt && mount -t billyfs -o store=mem:throttle none /b").status, 0);
  const chunk = new Uint8Array(1 << 20).fill(65);
  const fd = v.open("/b/big", "w");
  for (let i = 0; i < 64; i++) v.write(fd, chunk);
  v.close(fd);
  const lines = ["cp /b/big /mnt/x; echo cp=$?", "rm /mnt/x; cat /b/big > /dev/null; cat /b/big > /dev/null; cp /b/big /mnt/x; echo end"];
  for (const line of lines) {
    const r = sh.run(line);
    assert.equal(r.status, 0, `${line}: ${JSON.stringify(r)}`);
  }
  assert.equal(sh.run("echo alive").stdout, "alive\n");
  v.dispose();
});
