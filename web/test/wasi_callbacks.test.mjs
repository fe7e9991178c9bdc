// A WASI guest's stdout and stderr callbacks may call the VFS: the
// output they are handed is read before they run, so their own calls'
// responses change nothing of the guest's (web/src/wasi.ts slow()).
import assert from "node:assert/strict";
import { createVFS, wasiImports } from "../dist/index.js";
import { mod, test } from "./busybox.mjs";

const vfs = await createVFS();
vfs.mkdir("/tmp/cb");

const calls = [
  // [name, a VFS call made in the callback]
  ["appendFile", (b) => vfs.appendFile("/tmp/cb/log", b)],
  ["stat", () => vfs.stat("/tmp")],
  ["readFile /proc/mounts (a large response)", () => vfs.readFile("/proc/mounts")],
  ["readdir", () => vfs.readdir("/")],
  ["a failing call", () => assert.throws(() => vfs.stat("/nope"))],
  ["a batch", () => vfs.batch().stat("/").readFile("/proc/meminfo").run()],
];

for (const [name, call] of calls) {
  for (const stream of ["stdout", "stderr"]) {
    test(`${stream} callback calling ${name}`, () => {
      vfs.writeFile("/tmp/cb/log", "");
      const out = [];
      const err = [];
      // cat writes the file to stdout, then its complaint about /nope to stderr.
      vfs.writeFile("/tmp/cb/in", "line one\n");
      const w = wasiImports(vfs, {
        args: ["busybox", "cat", "/tmp/cb/in", "/nope"],
        stdout: (b) => {
          out.push(Buffer.from(b).toString());
          if (stream === "stdout") call(b);
        },
        stderr: (b) => {
          err.push(Buffer.from(b).toString());
          if (stream === "stderr") call(b);
        },
      });
      const code = w.start(new WebAssembly.Instance(mod, w.imports));
      w.close();
      assert.equal(code, 1);
      assert.equal(out.join(""), "line one\n");
      assert.equal(err.join(""), "cat: /nope: No such file or directory\n");
      if (name === "appendFile") assert.equal(vfs.readFile("/tmp/cb/log", "utf8"), stream === "stdout" ? out.join("") : err.join(""));
    });
  }
}
