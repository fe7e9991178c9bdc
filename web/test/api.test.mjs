// Every API call of @vfscope/web: what it does, and the errno it fails
// with, on a VFS booted in vfscope.wasm (make wasm; tsc).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "../dist/index.js";

const { createVFS, VFSError } = v;
const vfs = await createVFS();

/** Asserts that fn throws a VFSError with this code and the matching errno. */
function fails(fn, code, syscall) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof VFSError, `not a VFSError: ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.errno, errnos[code], `${code}'s number`);
    if (syscall) assert.equal(e.syscall, syscall);
    assert.match(e.message, new RegExp(`^${code}: `));
    return true;
  });
}

// Linux's numbers (asm-generic/errno-base.h, errno.h).
const errnos = {
  EPERM: 1, ENOENT: 2, EBADF: 9, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21,
  EINVAL: 22, ENOSPC: 28, ENOMEM: 12, ESPIPE: 29, EROFS: 30, ENOTEMPTY: 39, ELOOP: 40, EBUSY: 16, EACCES: 13,
};

vfs.mkdir("/tmp/t");
vfs.writeFile("/tmp/t/f", "hello");
vfs.mkdir("/tmp/t/full");
vfs.writeFile("/tmp/t/full/x", "");

test("the booted tree: tmpfs root, /tmp, /proc, /dev", () => {
  assert.deepEqual(vfs.readdir("/").sort(), ["dev", "proc", "tmp"]);
  assert.equal(vfs.stat("/tmp").mode & 0o7777, 0o1777);
  const mounts = vfs.readFile("/proc/mounts", "utf8");
  assert.match(mounts, /^none \/ tmpfs rw/m);
  assert.match(mounts, /^proc \/proc proc /m);
  assert.match(mounts, /^udev \/dev tmpfs rw,nosuid/m);
  assert.ok(vfs.stat("/dev/null").isCharacterDevice());
});

// [name, call that succeeds (returns a check), call that fails, code]
const table = [
  ["open", () => {
    const fd = vfs.open("/tmp/t/o", v.O_RDWR | v.O_CREAT, 0o640);
    assert.ok(fd >= 0);
    assert.equal(vfs.fstat(fd).mode, v.S_IFREG | 0o640 & ~0o022);
    vfs.close(fd);
    const fd2 = vfs.open("/tmp/t/o", "r");
    vfs.close(fd2);
  }, () => vfs.open("/tmp/t/nope"), "ENOENT"],
  ["open a directory for writing", () => {
    vfs.close(vfs.open("/tmp", v.O_RDONLY | v.O_DIRECTORY));
  }, () => vfs.open("/tmp", "w"), "EISDIR"],
  ["open O_EXCL", () => {
    vfs.close(vfs.open("/tmp/t/x1", "wx"));
  }, () => vfs.open("/tmp/t/f", "wx"), "EEXIST"],
  ["open O_DIRECTORY of a file", () => {}, () => vfs.open("/tmp/t/f", v.O_RDONLY | v.O_DIRECTORY), "ENOTDIR"],
  ["close", () => vfs.close(vfs.open("/tmp/t/f")), () => vfs.close(4242), "EBADF"],
  ["read", () => {
    const fd = vfs.open("/tmp/t/f");
    assert.equal(new TextDecoder().decode(vfs.read(fd, 3)), "hel");
    assert.equal(new TextDecoder().decode(vfs.read(fd, 100)), "lo");
    assert.equal(vfs.read(fd, 100).length, 0);
    vfs.close(fd);
  }, () => {
    const fd = vfs.open("/tmp");
    try {
      vfs.read(fd, 10);
    } finally {
      vfs.close(fd);
    }
  }, "EISDIR"],
  ["read of a bad fd", () => {}, () => vfs.read(4242, 1), "EBADF"],
  ["readInto", () => {
    const fd = vfs.open("/tmp/t/f");
    const buf = new Uint8Array(3).fill(9);
    assert.equal(vfs.readInto(fd, buf), 3);
    assert.equal(new TextDecoder().decode(buf), "hel");
    buf.fill(9);
    assert.equal(vfs.readInto(fd, buf), 2, "a short read at the end");
    assert.deepEqual([...buf], [108, 111, 9], "bytes past what was read are left alone");
    assert.equal(vfs.readInto(fd, buf), 0, "end of file");
    vfs.close(fd);
  }, () => vfs.readInto(4242, new Uint8Array(1)), "EBADF"],
  ["preadInto", () => {
    const fd = vfs.open("/tmp/t/f");
    const buf = new Uint8Array(8);
    assert.equal(vfs.preadInto(fd, buf.subarray(2, 4), 3), 2);
    assert.deepEqual([...buf.subarray(0, 5)], [0, 0, 108, 111, 0], "written where the subarray is");
    assert.equal(vfs.seek(fd, 0, v.SEEK_CUR), 0, "preadInto leaves the position");
    vfs.close(fd);
  }, () => {
    const fd = vfs.open("/tmp/t/f");
    try {
      vfs.preadInto(fd, new Uint8Array(1), -1);
    } finally {
      vfs.close(fd);
    }
  }, "EINVAL"],
  ["pread", () => {
    const fd = vfs.open("/tmp/t/f");
    assert.equal(new TextDecoder().decode(vfs.pread(fd, 2, 3)), "lo");
    assert.equal(vfs.seek(fd, 0, v.SEEK_CUR), 0, "pread leaves the position");
    vfs.close(fd);
  }, () => {
    const fd = vfs.open("/tmp/t/f");
    try {
      vfs.pread(fd, 1, -1);
    } finally {
      vfs.close(fd);
    }
  }, "EINVAL"],
  ["write", () => {
    const fd = vfs.open("/tmp/t/w", "w");
    assert.equal(vfs.write(fd, "abc"), 3);
    assert.equal(vfs.write(fd, new Uint8Array([100, 101])), 2);
    vfs.close(fd);
    assert.equal(vfs.readFile("/tmp/t/w", "utf8"), "abcde");
  }, () => {
    const fd = vfs.open("/tmp/t/w", "r");
    try {
      vfs.write(fd, "x");
    } finally {
      vfs.close(fd);
    }
  }, "EBADF"],
  ["pwrite", () => {
    const fd = vfs.open("/tmp/t/w", "r+");
    assert.equal(vfs.pwrite(fd, "ZZ", 1), 2);
    vfs.close(fd);
    assert.equal(vfs.readFile("/tmp/t/w", "utf8"), "aZZde");
  }, () => vfs.pwrite(4242, "x", 0), "EBADF"],
  ["seek", () => {
    const fd = vfs.open("/tmp/t/w");
    assert.equal(vfs.seek(fd, 0, v.SEEK_END), 5);
    assert.equal(vfs.seek(fd, -2, v.SEEK_CUR), 3);
    vfs.close(fd);
  }, () => {
    const fd = vfs.open("/tmp/t/w");
    try {
      vfs.seek(fd, -1, v.SEEK_SET);
    } finally {
      vfs.close(fd);
    }
  }, "EINVAL"],
  ["stat", () => {
    const st = vfs.stat("/tmp/t/f");
    assert.ok(st.isFile());
    assert.equal(st.size, 5);
    assert.equal(st.nlink, 1);
    assert.ok(st.mtime instanceof Date && st.mtimeMs > 0);
  }, () => vfs.stat("/tmp/t/f/x"), "ENOTDIR"],
  ["lstat", () => {
    vfs.symlink("f", "/tmp/t/lnk");
    assert.ok(vfs.lstat("/tmp/t/lnk").isSymbolicLink());
    assert.ok(vfs.stat("/tmp/t/lnk").isFile());
  }, () => vfs.lstat("/tmp/t/nope"), "ENOENT"],
  ["fstat", () => {
    const fd = vfs.open("/tmp/t/f");
    assert.equal(vfs.fstat(fd).ino, vfs.stat("/tmp/t/f").ino);
    vfs.close(fd);
  }, () => vfs.fstat(4242), "EBADF"],
  ["readdir", () => {
    vfs.mkdir("/tmp/t/rd");
    vfs.writeFile("/tmp/t/rd/a", "");
    vfs.mkdir("/tmp/t/rd/b");
    assert.deepEqual(vfs.readdir("/tmp/t/rd").sort(), ["a", "b"]);
    const ents = vfs.readdir("/tmp/t/rd", { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1));
    assert.ok(ents[0].isFile() && ents[1].isDirectory());
    assert.equal(ents[0].ino, vfs.stat("/tmp/t/rd/a").ino);
  }, () => vfs.readdir("/tmp/t/f"), "ENOTDIR"],
  ["mkdir", () => {
    vfs.mkdir("/tmp/t/m", 0o700);
    assert.equal(vfs.stat("/tmp/t/m").mode, v.S_IFDIR | 0o700);
  }, () => vfs.mkdir("/tmp/t/m"), "EEXIST"],
  ["mkdir under a missing directory", () => {}, () => vfs.mkdir("/tmp/t/nope/m"), "ENOENT"],
  ["rmdir", () => {
    vfs.mkdir("/tmp/t/r");
    vfs.rmdir("/tmp/t/r");
    assert.equal(vfs.exists("/tmp/t/r"), false);
  }, () => vfs.rmdir("/tmp/t/full"), "ENOTEMPTY"],
  ["rmdir of a mount point", () => {}, () => vfs.rmdir("/proc"), "EBUSY"],
  ["rmdir of a file", () => {}, () => vfs.rmdir("/tmp/t/f"), "ENOTDIR"],
  ["unlink", () => {
    vfs.writeFile("/tmp/t/u", "x");
    vfs.unlink("/tmp/t/u");
    assert.equal(vfs.exists("/tmp/t/u"), false);
  }, () => vfs.unlink("/tmp/t/full"), "EISDIR"],
  ["rename", () => {
    vfs.writeFile("/tmp/t/r1", "1");
    vfs.rename("/tmp/t/r1", "/tmp/t/r2");
    assert.equal(vfs.readFile("/tmp/t/r2", "utf8"), "1");
  }, () => vfs.rename("/tmp/t/r2", "/tmp/t/f", v.RENAME_NOREPLACE), "EEXIST"],
  ["rename RENAME_EXCHANGE", () => {
    vfs.writeFile("/tmp/t/e1", "one");
    vfs.writeFile("/tmp/t/e2", "two");
    vfs.rename("/tmp/t/e1", "/tmp/t/e2", v.RENAME_EXCHANGE);
    assert.equal(vfs.readFile("/tmp/t/e1", "utf8"), "two");
    assert.equal(vfs.readFile("/tmp/t/e2", "utf8"), "one");
  }, () => vfs.rename("/tmp/t/e1", "/tmp/t/nope", v.RENAME_EXCHANGE), "ENOENT"],
  ["rename a directory into itself", () => {}, () => vfs.rename("/tmp/t/full", "/tmp/t/full/sub"), "EINVAL"],
  ["rename across mounts", () => {}, () => vfs.rename("/tmp/t/f", "/dev/f"), "EXDEV"],
  ["link", () => {
    vfs.link("/tmp/t/f", "/tmp/t/hard");
    assert.equal(vfs.stat("/tmp/t/f").nlink, 2);
  }, () => vfs.link("/tmp/t/full", "/tmp/t/dirlink"), "EPERM"],
  ["link across mounts", () => {}, () => vfs.link("/tmp/t/f", "/dev/f"), "EXDEV"],
  ["symlink and readlink", () => {
    vfs.symlink("../t/f", "/tmp/t/sl");
    assert.equal(vfs.readlink("/tmp/t/sl"), "../t/f");
  }, () => vfs.symlink("x", "/tmp/t/f"), "EEXIST"],
  ["readlink of a file", () => {}, () => vfs.readlink("/tmp/t/f"), "EINVAL"],
  ["a symlink loop", () => vfs.symlink("loop", "/tmp/t/loop"), () => vfs.stat("/tmp/t/loop"), "ELOOP"],
  ["chmod", () => {
    vfs.chmod("/tmp/t/f", 0o600);
    assert.equal(vfs.stat("/tmp/t/f").mode & 0o7777, 0o600);
  }, () => vfs.chmod("/tmp/t/nope", 0o600), "ENOENT"],
  ["chown", () => {
    vfs.chown("/tmp/t/f", 1000, 100);
    const st = vfs.stat("/tmp/t/f");
    assert.deepEqual([st.uid, st.gid], [1000, 100]);
  }, () => vfs.chown("/tmp/t/nope", 1, 1), "ENOENT"],
  ["lchown", () => {
    vfs.lchown("/tmp/t/sl", 7, 8);
    assert.equal(vfs.lstat("/tmp/t/sl").uid, 7);
    assert.equal(vfs.stat("/tmp/t/sl").uid, 1000, "the target is not changed");
  }, () => vfs.lchown("/tmp/t/nope", 1, 1), "ENOENT"],
  ["truncate", () => {
    vfs.writeFile("/tmp/t/tr", "abcdef");
    vfs.truncate("/tmp/t/tr", 2);
    assert.equal(vfs.readFile("/tmp/t/tr", "utf8"), "ab");
    vfs.truncate("/tmp/t/tr", 4);
    assert.deepEqual([...vfs.readFile("/tmp/t/tr")], [97, 98, 0, 0]);
  }, () => vfs.truncate("/tmp/t/full", 0), "EISDIR"],
  ["truncate to a negative length", () => {}, () => vfs.truncate("/tmp/t/tr", -1), "EINVAL"],
  ["ftruncate", () => {
    const fd = vfs.open("/tmp/t/tr", "r+");
    vfs.ftruncate(fd, 1);
    vfs.close(fd);
    assert.equal(vfs.stat("/tmp/t/tr").size, 1);
  }, () => vfs.ftruncate(4242, 0), "EBADF"],
  ["mount and umount", () => {
    vfs.mkdir("/tmp/t/mnt");
    vfs.mount("none", "/tmp/t/mnt", "tmpfs", v.MS_NOSUID, "size=1m,mode=700");
    assert.match(vfs.readFile("/proc/mounts", "utf8"), /^none \/tmp\/t\/mnt tmpfs rw,nosuid,relatime,size=1024k,mode=700/m);
    assert.equal(vfs.stat("/tmp/t/mnt").mode & 0o777, 0o700);
    vfs.umount("/tmp/t/mnt");
    assert.doesNotMatch(vfs.readFile("/proc/mounts", "utf8"), /\/tmp\/t\/mnt/);
  }, () => vfs.mount("none", "/tmp/t/mnt", "nosuchfs"), "ENODEV"],
  ["mount on a missing directory", () => {}, () => vfs.mount("none", "/tmp/t/nope", "tmpfs"), "ENOENT"],
  ["umount of a directory that is not a mount", () => {}, () => vfs.umount("/tmp"), "EINVAL"],
  ["umount of a busy mount", () => {
    vfs.mount("none", "/tmp/t/mnt", "tmpfs");
    vfs.writeFile("/tmp/t/mnt/f", "");
  }, () => {
    const fd = vfs.open("/tmp/t/mnt/f");
    try {
      vfs.umount("/tmp/t/mnt");
    } finally {
      vfs.close(fd);
      vfs.umount("/tmp/t/mnt");
    }
  }, "EBUSY"],
  ["readFile", () => {
    assert.deepEqual([...vfs.readFile("/tmp/t/w")], [...new TextEncoder().encode("aZZde")]);
  }, () => vfs.readFile("/tmp/t/full"), "EISDIR"],
  ["readFile of a missing file", () => {}, () => vfs.readFile("/tmp/t/nope"), "ENOENT"],
  ["writeFile and appendFile", () => {
    vfs.writeFile("/tmp/t/wf", "one", { mode: 0o600 });
    vfs.appendFile("/tmp/t/wf", "two");
    assert.equal(vfs.readFile("/tmp/t/wf", "utf8"), "onetwo");
    assert.equal(vfs.stat("/tmp/t/wf").mode & 0o777, 0o600);
    vfs.writeFile("/tmp/t/wf", "3");
    assert.equal(vfs.readFile("/tmp/t/wf", "utf8"), "3");
  }, () => vfs.writeFile("/tmp/t/nope/f", "x"), "ENOENT"],
  ["writeFile on a read-only mount", () => {
    vfs.mkdir("/tmp/t/ro");
    vfs.mount("none", "/tmp/t/ro", "tmpfs", v.MS_RDONLY);
  }, () => vfs.writeFile("/tmp/t/ro/f", "x"), "EROFS"],
  ["fsync and sync", () => {
    const fd = vfs.open("/tmp/t/f");
    vfs.fsync(fd);
    vfs.close(fd);
    vfs.sync();
  }, () => vfs.fsync(4242), "EBADF"],
  ["access", () => {
    vfs.access("/tmp/t/f");
    vfs.access("/tmp/t/f", v.R_OK | v.W_OK);
  }, () => vfs.access("/tmp/t/nope"), "ENOENT"],
  ["chdir and getcwd", () => {
    vfs.chdir("/tmp/t");
    assert.equal(vfs.getcwd(), "/tmp/t");
    assert.equal(vfs.readFile("f", "utf8"), "hello");
    vfs.chdir("/");
  }, () => vfs.chdir("/tmp/t/f"), "ENOTDIR"],
  ["utimes", () => {
    vfs.utimes("/tmp/t/f", new Date(1e12), 123456789123456789n);
    const st = vfs.stat("/tmp/t/f");
    assert.equal(st.atimeMs, 1e12);
    assert.equal(st.mtimeNs, 123456789123456789n);
    vfs.utimes("/tmp/t/f", "omit", "now");
    assert.equal(vfs.stat("/tmp/t/f").atimeMs, 1e12);
    assert.ok(vfs.stat("/tmp/t/f").mtimeMs > 1e12);
  }, () => vfs.utimes("/tmp/t/nope", 0, 0), "ENOENT"],
];

for (const [name, ok, bad, code] of table) {
  test(`${name}: succeeds, and fails with ${code}`, () => {
    ok();
    fails(bad, code);
  });
}

test("a VFSError names the call and its paths", () => {
  try {
    vfs.rename("/tmp/t/nope", "/tmp/t/other");
    assert.fail("no error");
  } catch (e) {
    assert.equal(e.message, "ENOENT: No such file or directory, rename '/tmp/t/nope' -> '/tmp/t/other'");
    assert.equal(e.path, "/tmp/t/nope");
    assert.equal(e.dest, "/tmp/t/other");
    assert.equal(e.syscall, "rename");
  }
});

test("bad arguments are TypeErrors, not errnos", () => {
  assert.throws(() => vfs.open("/tmp/t/f", "rw"), TypeError);
  assert.throws(() => vfs.read(0, 1.5), TypeError);
  assert.throws(() => vfs.write(0, 42), TypeError);
});

test("memoryBudget is the VFS's MemTotal: past it tmpfs pages fail with ENOMEM", async () => {
  const small = await createVFS({ memoryBudget: 1 << 20 });
  assert.match(small.readFile("/proc/meminfo", "utf8"), /^MemTotal: +1024 kB$/m);
  small.writeFile("/tmp/a", new Uint8Array(64 << 10));
  // A tmpfs without size= holds half of MemTotal, as Linux's default, then ENOSPC;
  // one mounted with size=0 has no limit of its own and meets the budget's ENOMEM.
  fails(() => small.writeFile("/tmp/b", new Uint8Array(2 << 20)), "ENOSPC");
  small.unlink("/tmp/b");
  small.mkdir("/tmp/nolimit");
  small.mount("none", "/tmp/nolimit", "tmpfs", 0, "size=0");
  fails(() => small.writeFile("/tmp/nolimit/b", new Uint8Array(2 << 20)), "ENOMEM");
  small.dispose();
  assert.throws(() => small.stat("/"), /closed/);
  await assert.rejects(createVFS({ memoryBudget: -1 }), RangeError);
});

test("lockdep: the validator is on and reported in /proc/lockdep_stats", async () => {
  const checked = await createVFS({ lockdep: true });
  checked.mkdir("/tmp/a");
  checked.writeFile("/tmp/a/f", "x");
  checked.rename("/tmp/a/f", "/tmp/g");
  assert.ok(checked.exists("/tmp/g"));
  checked.dispose();
});

test("two VFSes are independent", async () => {
  const other = await createVFS();
  other.writeFile("/tmp/only-here", "");
  assert.equal(vfs.exists("/tmp/only-here"), false);
  assert.ok(other.exists("/tmp/only-here"));
  other.dispose();
});

test("large data crosses whole (results past the shared buffer's size)", () => {
  const big = new Uint8Array(3 << 20);
  for (let i = 0; i < big.length; i++) big[i] = i * 7;
  vfs.writeFile("/tmp/t/big", big);
  const back = vfs.readFile("/tmp/t/big");
  assert.equal(back.length, big.length);
  assert.ok(back.every((b, i) => b === big[i]));
  const fd = vfs.open("/tmp/t/big");
  assert.equal(vfs.pread(fd, 1 << 20, 2 << 20).length, 1 << 20);
  vfs.close(fd);
});

test("non-ASCII names round-trip as UTF-8", () => {
  vfs.writeFile("/tmp/t/ünïcødé-文件", "ok");
  assert.ok(vfs.readdir("/tmp/t").includes("ünïcødé-文件"));
});

test("readdir lists any size of directory, with types and inode numbers matching lstat", () => {
  const cases = [
    ["empty", []],
    ["one", ["only"]],
    ["multibyte and long", ["ünïcødé-文件", "😀", "a b\tc", "x".repeat(255)]],
    // More than one getdents64 buffer (64 KiB) holds, with byte strings
    // long enough to be padded in the response.
    ["past one buffer", Array.from({ length: 3000 }, (_, i) => `a-longer-name-of-file-${String(i).padStart(5, "0")}`)],
  ];
  for (const [name, files] of cases) {
    const dir = `/tmp/t/rd-${name.replaceAll(" ", "-")}`;
    vfs.mkdir(dir);
    const b = vfs.batch();
    files.forEach((f, i) => (i % 3 === 1 ? b.mkdir(`${dir}/${f}`) : i % 3 === 2 ? b.symlink("f", `${dir}/${f}`) : b.writeFile(`${dir}/${f}`, "")));
    b.runOrThrow();
    assert.deepEqual(vfs.readdir(dir).sort(), [...files].sort(), name);
    const ents = vfs.readdir(dir, { withFileTypes: true });
    assert.equal(ents.length, files.length, name);
    for (const e of ents) {
      const st = vfs.lstat(`${dir}/${e.name}`);
      assert.equal(e.ino, st.ino, `${name}: ${e.name}`);
      assert.equal(e.isFile(), st.isFile(), `${name}: ${e.name}`);
      assert.equal(e.isDirectory(), st.isDirectory(), `${name}: ${e.name}`);
      assert.equal(e.isSymbolicLink(), st.isSymbolicLink(), `${name}: ${e.name}`);
    }
    // The batch form gives DirEntry objects too, one listing beside another.
    const [a, c] = vfs.batch().readdir(dir, { withFileTypes: true }).readdir("/tmp/t/rd", { withFileTypes: true }).runOrThrow();
    assert.deepEqual(a.map((e) => e.name), ents.map((e) => e.name), name);
    assert.deepEqual(c.map((e) => e.name).sort(), ["a", "b"]);
  }
});

test("stat's times: milliseconds and exact nanoseconds, decoded when asked for", () => {
  for (const [ns, ms] of [
    [0n, 0],
    [1n, 1e-6],
    [999_999_999n, 999.999999],
    [1_700_000_000_123_456_789n, 1_700_000_000_123.4568],
    [123456789123456789n, 123456789123.45679],
  ]) {
    vfs.utimes("/tmp/t/f", ns, ns);
    const st = vfs.stat("/tmp/t/f");
    assert.equal(st.atimeNs, ns);
    assert.equal(st.mtimeNs, ns);
    assert.ok(Math.abs(st.mtimeMs - ms) < 1e-3, `${ns}: ${st.mtimeMs} ms`);
    assert.equal(st.mtime.getTime(), Math.floor(ms));
    assert.equal(typeof st.ctimeNs, "bigint");
    assert.ok(st.ctimeNs >= st.birthtimeNs && st.birthtimeMs > 0);
  }
});
