// A guest run for a shell: started with wasiImports' shell option it runs
// as the shell's user (after su too) with its umask, and its exit status
// becomes the shell's $? through Shell.setStatus.
import assert from "node:assert/strict";
import { createVFS, wasiImports } from "../dist/index.js";
import { mod, test } from "./busybox.mjs";

const vfs = await createVFS();

function busybox(args, opts = {}) {
  const w = wasiImports(vfs, { args: ["busybox", ...args], ...opts });
  const code = w.start(new WebAssembly.Instance(mod, w.imports));
  w.close();
  return { code, stdout: w.stdout, stderr: w.stderr };
}

// /tmp/ro is root's (0755); the shell then runs as uid 1000 with umask 077.
const sh = vfs.shell();
assert.equal(sh.run("mkdir /tmp/ro && umask 077 && su 1000:1000").status, 0);

const guests = [
  // [name, shell option, args, exit code, stderr (RegExp), what it made: [path, uid, mode] or null]
  ["the shell's user may not write in root's directory", sh, ["mkdir", "/tmp/ro/a"], 1,
    /^mkdir: cannot create directory '\/tmp\/ro\/a': Permission denied\n$/, null],
  ["nor create a file there", sh, ["touch", "/tmp/ro/f"], 1, /Permission denied/, null],
  ["the shell's user and umask where it may write", sh, ["mkdir", "/tmp/mine"], 0, /^$/, ["/tmp/mine", 1000, 0o700]],
  ["without the option the guest is root, as before", undefined, ["mkdir", "/tmp/ro/b"], 0, /^$/, ["/tmp/ro/b", 0, 0o755]],
];

for (const [name, shell, args, code, stderr, made] of guests) {
  test(`busybox ${args.join(" ")}: ${name}`, () => {
    const r = busybox(args, { shell });
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, stderr);
    if (!made) {
      assert.equal(vfs.exists(args.at(-1)), false);
      return;
    }
    const st = vfs.stat(made[0]);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [made[1], made[1], made[2]]);
  });
}

test("a guest's exit status is the shell's $? through setStatus", () => {
  const s = vfs.shell();
  const steps = [
    // [busybox args, its code, what `echo $?` then prints]
    [["cat", "/tmp/nope"], 1, "1\n"],
    [["echo", "x"], 0, "0\n"],
    [["nope"], 127, "127\n"],
  ];
  for (const [args, code, echo] of steps) {
    const r = busybox(args, { shell: s });
    assert.equal(r.code, code, r.stderr);
    s.setStatus(r.code);
    assert.deepEqual(s.split("busybox echo $?").commands[0].args, ["busybox", "echo", String(code)]);
    assert.equal(s.run("echo $?").stdout, echo);
  }
  s.setStatus(256 + 3);
  assert.equal(s.run("echo $?").stdout, "3\n", "modulo 256");
  assert.throws(() => s.setStatus(1.5), TypeError);
  s.close();
  assert.throws(() => s.setStatus(0), /this shell is closed/);
});

test("the shell option refuses a closed shell and one of another VFS", async () => {
  const s = vfs.shell();
  s.close();
  assert.throws(() => wasiImports(vfs, { shell: s }), /this shell is closed/);
  const other = await createVFS();
  const o = other.shell();
  assert.throws(() => wasiImports(vfs, { shell: o }), /another VFS/);
  other.dispose();
});

test("the guest outlives the shell it was forked from, as its user", () => {
  const s = vfs.shell();
  s.run("su 1000");
  const w = wasiImports(vfs, { args: ["busybox", "mkdir", "/tmp/later"], shell: s });
  s.close();
  assert.equal(w.start(new WebAssembly.Instance(mod, w.imports)), 0, w.stderr);
  w.close();
  assert.equal(vfs.stat("/tmp/later").uid, 1000);
});
