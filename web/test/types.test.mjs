// The declarations in dist type what a TypeScript caller writes as it
// runs: tsc --strict checks test/types/usage.ts (including the lines that
// must not type, under @ts-expect-error), and the same options run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createVFS, DirEntry } from "../dist/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const tsc = ["../../node_modules/.bin/tsc", "../node_modules/.bin/tsc"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find(existsSync);

test("tsc --strict accepts the options the runtime takes, and rejects the rest", () => {
  assert.ok(tsc, "no tsc in node_modules (make node-deps)");
  const r = spawnSync(tsc, ["-p", `${here}types/tsconfig.json`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// [options, what readdir returns: "names", "entries" or "bytes"]
const readdirOptions = [
  [undefined, "names"],
  [{}, "names"],
  [{ encoding: "utf8" }, "names"],
  [{ encoding: "utf-8" }, "names"],
  [{ withFileTypes: false }, "names"],
  [{ withFileTypes: true }, "entries"],
  [{ withFileTypes: true, encoding: "utf8" }, "entries"],
  [{ encoding: "buffer" }, "bytes"],
  [{ encoding: "buffer", withFileTypes: false }, "bytes"],
];

test("readdir and readlink take those options at run time", async () => {
  const vfs = await createVFS();
  vfs.mkdir("/tmp/d");
  vfs.symlink("target", "/tmp/d/l");
  for (const [opts, kind] of readdirOptions) {
    const got = vfs.readdir("/tmp/d", opts);
    assert.equal(got.length, 1, JSON.stringify(opts));
    const want = { names: "string", entries: DirEntry, bytes: Uint8Array }[kind];
    if (typeof want === "string") assert.equal(typeof got[0], want, JSON.stringify(opts));
    else assert.ok(got[0] instanceof want, JSON.stringify(opts));
  }
  assert.throws(() => vfs.readdir("/tmp/d", { encoding: "utf16le" }), TypeError);
  assert.deepEqual(vfs.readdir("/tmp/d", { encoding: "latin1" }), ["l"]);
  for (const opts of [undefined, {}, { encoding: "utf8" }, { encoding: "utf-8" }]) assert.equal(vfs.readlink("/tmp/d/l", opts), "target");
  assert.deepEqual(vfs.readlink("/tmp/d/l", { encoding: "buffer" }), new TextEncoder().encode("target"));
  assert.throws(() => vfs.readlink("/tmp/d/l", { encoding: "ucs2" }), TypeError);
  assert.equal(vfs.readlink("/tmp/d/l", { encoding: "hex" }), "746172676574");
  vfs.dispose();
});
