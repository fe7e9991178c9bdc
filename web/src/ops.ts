// Each operation of the API as a spec: how to encode its arguments and
// decode its result. VFS runs one spec as a batch of one; Batch runs many
// in one crossing.

import { encode, encodingOf, options as normalize, type Encoding } from "./options.js";
import { id32, int, noNul, pathArg, type PathLike, typedLength, typedSet, u32 } from "./args.js";
import { AT_SYMLINK_NOFOLLOW, O_CREAT, O_TRUNC, O_WRONLY, O_APPEND, O_RDONLY, openFlagStrings } from "./constants.js";
import type { Reader, Runtime } from "./runtime.js";
import { readDirEntries, readNames, readRawNames, Stats, type DirEntry } from "./stats.js";
import { textDecoder } from "./text.js";

/** One encoded operation: what VFS and Batch run. */
export interface Spec<T> {
  op: string;
  syscall: string;
  /**
   * The calls of an operation made of several (readFile: open, read),
   * by step: an error names calls[step], the step the Go side put in the
   * high 16 bits of the errno word, as Node names the call that failed.
   */
  calls?: readonly string[];
  path?: string;
  /** The path an error names, by step as calls (wasiNew: its root, then each preopen); path for a step it lacks. */
  paths?: readonly string[];
  dest?: string;
  /** The call an errno is named after, for an operation whose name depends on it (truncate). */
  syscallOf?(errno: number): string;
  /**
   * The operation's value when it fails with an errno, instead of the
   * error (exists: false). Absent: the failure is its VFSError.
   */
  orElse?: { value: T };
  enc(rt: Runtime): void;
  dec(r: Reader): T;
}

const none = (): void => undefined;

const EINVAL = 22;
const EFBIG = 27;

function truncateCall(errno: number): string {
  return errno === EINVAL || errno === EFBIG ? "ftruncate" : "open";
}

// readFile opens, then reads: EISDIR (a directory, as node reports it)
// and EFBIG (a file over the bridge's bound of 1 GiB, or one that reports
// no size read past 8 MiB: /dev/zero never ends) come from the reads.
const readFileCalls = ["open", "read"] as const;
// writeFile opens, writes (ENOSPC of a full filesystem), then closes.
const writeFileCalls = ["open", "write", "close"] as const;
const num = (r: Reader): number => r.num();
const textEncoder = new TextEncoder();

/** Data to write: bytes, or a string written as UTF-8. */
export type Data = Uint8Array | string;

/** Data as bytes: a string as UTF-8; anything but a string or a Uint8Array is a TypeError naming what. */
export function bytesOf(data: Data, what = "data"): Uint8Array {
  if (typeof data === "string") return textEncoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError(`${what} must be a Uint8Array or a string, not ${data === null ? "null" : typeof data}`);
}

/** Open flags: O_* bits, or a Node-style string ("r", "w+", "ax"...). */
export type OpenFlags = number | string;

export function openFlags(flags: OpenFlags): number {
  if (typeof flags === "number") return u32(flags, "flags");
  const v = typeof flags === "string" ? openFlagStrings[flags] : undefined;
  if (v === undefined) throw new TypeError(`unknown open flags ${JSON.stringify(flags)}`);
  return v;
}

/** A time for utimes: a Date, milliseconds, nanoseconds as bigint, "now" or "omit". */
export type TimeArg = Date | number | bigint | "now" | "omit";

/**
 * The latest time utimes takes: 2^63 - 1 nanoseconds after the epoch
 * (2262-04-11T23:47:16.854775807Z), the most the bridge's signed 64-bit
 * nanoseconds hold. It is not stored exactly: the core clamps a time to
 * its range, as Linux's timestamp_truncate() does, and its last second is
 * 9223372036 (vfs.TimeMax, 2262-04-11T23:47:16Z), so a time past that
 * second reads back as it, its nanoseconds dropped (RATIONALE.md, "Why
 * are file times limited to the years 1677 to 2262?").
 */
export const MAX_TIME_NS = (1n << 63n) - 1n;

/**
 * A TimeArg as utimensat's nanoseconds: -1 is UTIME_NOW, -2 UTIME_OMIT.
 * A time before the epoch or after MAX_TIME_NS is a RangeError: it is
 * rejected here, not wrapped; what the filesystem then stores is the
 * core's (clamped to its time range, as Linux's timestamp_truncate).
 */
function timeNs(t: TimeArg): bigint {
  if (t === "now") return -1n;
  if (t === "omit") return -2n;
  let ns: bigint;
  if (typeof t === "bigint") {
    ns = t;
  } else {
    const ms = t instanceof Date ? t.getTime() : t;
    if (typeof ms !== "number") throw new TypeError(`time must be a number of milliseconds, a Date, a bigint of nanoseconds, "now" or "omit", got ${typeof t === "object" ? String(t) : typeof t}`);
    if (!Number.isFinite(ms)) throw new RangeError(`time out of range: ${String(t)}`);
    // Microsecond precision from a millisecond number, then exact.
    ns = BigInt(Math.round(ms * 1000)) * 1000n;
  }
  if (ns < 0n) throw new RangeError(`time out of range: ${String(t)} is before the epoch, which is not supported`);
  if (ns > MAX_TIME_NS) throw new RangeError(`time out of range: ${String(t)} is after 2262-04-11T23:47:16.854775807Z (2^63 - 1 ns)`);
  return ns;
}

/** Copies the next byte string into buffer; returns its length. */

/** The buffer of a readInto: a Uint8Array (TypeError), and its length now. */
function intoBuffer(buffer: Uint8Array, what: string): number {
  if (!(buffer instanceof Uint8Array)) throw new TypeError(`${what}: buffer must be a Uint8Array, not ${buffer === null ? "null" : typeof buffer}`);
  return typedLength.call(buffer);
}

/**
 * A result read whole but not deliverable: thrown by a decoder after it
 * has read its result, so that the results after it are read as usual,
 * and that operation's outcome is the errno (EFAULT: Linux's read(2)
 * into memory the caller cannot be written).
 */
export class Fault {
  constructor(readonly errno: number) {}
}

const EFAULT = 14;

/**
 * Copies the bytes read into buffer. A buffer detached or shrunk (a
 * resizable ArrayBuffer) since the call was queued no longer holds them:
 * that is a Fault (EFAULT), after the bytes are read past.
 */
function into(r: Reader, buffer: Uint8Array): number {
  const v = r.view();
  if (v.length > typedLength.call(buffer)) throw new Fault(EFAULT);
  typedSet.call(buffer, v);
  return v.length;
}

function path1<T>(op: string, path: PathLike, enc: (rt: Runtime) => void, dec: (r: Reader) => T): Spec<T> {
  return { op, syscall: op, path: pathArg(path), enc, dec };
}

export interface WriteFileOptions {
  /** How data given as a string is encoded (default UTF-8). */
  encoding?: Encoding | null;
  /** Permission bits for a new file (default 0o666, less the umask). */
  mode?: number;
  /** Append instead of truncating. */
  append?: boolean;
  /** Open flags instead of the default O_WRONLY|O_CREAT|O_TRUNC. */
  flag?: OpenFlags;
}

export const specs = {
  open(path: PathLike, flags: OpenFlags = O_RDONLY, mode = 0o666): Spec<number> {
    u32(mode, "mode");
    const f = openFlags(flags);
    return path1("open", path, (rt) => (rt.path(path), rt.num(f), rt.num(mode)), num);
  },
  close(fd: number): Spec<void> {
    int(fd, "fd");
    return { op: "close", syscall: "close", enc: (rt) => rt.num(fd), dec: none };
  },
  read(fd: number, length: number): Spec<Uint8Array> {
    int(fd, "fd"), int(length, "length");
    return { op: "read", syscall: "read", enc: (rt) => (rt.num(fd), rt.num(length)), dec: (r) => r.bytes() };
  },
  readInto(fd: number, buffer: Uint8Array): Spec<number> {
    int(fd, "fd");
    const length = intoBuffer(buffer, "readInto");
    return { op: "read", syscall: "read", enc: (rt) => (rt.num(fd), rt.num(length)), dec: (r) => into(r, buffer) };
  },
  preadInto(fd: number, buffer: Uint8Array, position: number): Spec<number> {
    int(fd, "fd"), int(position, "position");
    const length = intoBuffer(buffer, "preadInto");
    return {
      op: "pread",
      syscall: "pread",
      enc: (rt) => (rt.num(fd), rt.num(length), rt.num(position)),
      dec: (r) => into(r, buffer),
    };
  },
  pread(fd: number, length: number, position: number): Spec<Uint8Array> {
    int(fd, "fd"), int(length, "length"), int(position, "position");
    return {
      op: "pread",
      syscall: "pread",
      enc: (rt) => (rt.num(fd), rt.num(length), rt.num(position)),
      dec: (r) => r.bytes(),
    };
  },
  write(fd: number, data: Data): Spec<number> {
    int(fd, "fd");
    const b = bytesOf(data);
    return { op: "write", syscall: "write", enc: (rt) => (rt.num(fd), rt.bytes(b)), dec: num };
  },
  pwrite(fd: number, data: Data, position: number): Spec<number> {
    int(fd, "fd"), int(position, "position");
    const b = bytesOf(data);
    return { op: "pwrite", syscall: "pwrite", enc: (rt) => (rt.num(fd), rt.bytes(b), rt.num(position)), dec: num };
  },
  seek(fd: number, offset: number, whence = 0): Spec<number> {
    int(fd, "fd"), int(offset, "offset"), int(whence, "whence");
    return { op: "seek", syscall: "lseek", enc: (rt) => (rt.num(fd), rt.num(offset), rt.num(whence)), dec: num };
  },
  stat(path: PathLike): Spec<Stats> {
    return path1("stat", path, (rt) => rt.path(path), Stats.read);
  },
  lstat(path: PathLike): Spec<Stats> {
    return path1("lstat", path, (rt) => rt.path(path), Stats.read);
  },
  fstat(fd: number): Spec<Stats> {
    int(fd, "fd");
    return { op: "fstat", syscall: "fstat", enc: (rt) => rt.num(fd), dec: Stats.read };
  },
  readdir(path: PathLike): Spec<DirEntry[]> {
    return { ...path1("readdir", path, (rt) => rt.path(path), readDirEntries), syscall: "scandir" };
  },
  /** readdir's names only. */
  readdirNames(path: PathLike): Spec<string[]> {
    return { ...path1("readdir", path, (rt) => rt.path(path), readNames), syscall: "scandir" };
  },
  /** readdir's names as their bytes, whatever their encoding. */
  readdirRaw(path: PathLike): Spec<Uint8Array[]> {
    return { ...path1("readdir", path, (rt) => rt.path(path), readRawNames), syscall: "scandir" };
  },
  mkdir(path: PathLike, mode = 0o777): Spec<void> {
    u32(mode, "mode");
    return path1("mkdir", path, (rt) => (rt.path(path), rt.num(mode)), none);
  },
  rmdir(path: PathLike): Spec<void> {
    return path1("rmdir", path, (rt) => rt.path(path), none);
  },
  unlink(path: PathLike): Spec<void> {
    return path1("unlink", path, (rt) => rt.path(path), none);
  },
  rename(oldPath: PathLike, newPath: PathLike, flags = 0): Spec<void> {
    u32(flags, "flags");
    return {
      op: "rename",
      syscall: "rename",
      path: pathArg(oldPath, "oldPath"),
      dest: pathArg(newPath, "newPath"),
      enc: (rt) => (rt.path(oldPath), rt.path(newPath), rt.num(flags)),
      dec: none,
    };
  },
  link(existing: PathLike, newPath: PathLike): Spec<void> {
    return { op: "link", syscall: "link", path: pathArg(existing, "existingPath"), dest: pathArg(newPath, "newPath"), enc: (rt) => (rt.path(existing), rt.path(newPath)), dec: none };
  },
  symlink(target: PathLike, path: PathLike): Spec<void> {
    return { op: "symlink", syscall: "symlink", path: pathArg(target, "target"), dest: pathArg(path), enc: (rt) => (rt.path(target), rt.path(path)), dec: none };
  },
  readlink(path: PathLike): Spec<string> {
    return path1("readlink", path, (rt) => rt.path(path), (r) => r.str());
  },
  /** readlink's target as its bytes. */
  readlinkRaw(path: PathLike): Spec<Uint8Array> {
    return path1("readlink", path, (rt) => rt.path(path), (r) => r.strBytes());
  },
  chmod(path: PathLike, mode: number): Spec<void> {
    u32(mode, "mode");
    return path1("chmod", path, (rt) => (rt.path(path), rt.num(mode)), none);
  },
  chown(path: PathLike, uid: number, gid: number): Spec<void> {
    id32(uid, "uid"), id32(gid, "gid");
    return path1("chown", path, (rt) => (rt.path(path), rt.num(uid), rt.num(gid)), none);
  },
  lchown(path: PathLike, uid: number, gid: number): Spec<void> {
    id32(uid, "uid"), id32(gid, "gid");
    return path1("lchown", path, (rt) => (rt.path(path), rt.num(uid), rt.num(gid)), none);
  },
  truncate(path: PathLike, length = 0): Spec<void> {
    int(length, "length");
    // One truncate(2), named as Node's truncateSync names its calls: it
    // opens the file "r+", then ftruncates it, so a failure to reach or
    // open it for writing (ENOENT, EISDIR, EACCES, EPERM of an
    // append-only file...) is "open"'s, and one of the length (EINVAL,
    // EFBIG) "ftruncate"'s.
    return { ...path1("truncate", path, (rt) => (rt.path(path), rt.num(length)), none), syscall: "open", syscallOf: truncateCall };
  },
  ftruncate(fd: number, length = 0): Spec<void> {
    int(fd, "fd"), int(length, "length");
    return { op: "ftruncate", syscall: "ftruncate", enc: (rt) => (rt.num(fd), rt.num(length)), dec: none };
  },
  mount(source: string, target: PathLike, fstype: string, flags = 0, data = ""): Spec<void> {
    u32(flags, "flags");
    noNul(source, "source"), noNul(fstype, "fstype"), noNul(data, "data");
    return {
      op: "mount",
      syscall: "mount",
      path: pathArg(target, "target"),
      enc: (rt) => (rt.str(source), rt.path(target), rt.str(fstype), rt.num(flags), rt.str(data)),
      dec: none,
    };
  },
  umount(target: PathLike, flags = 0): Spec<void> {
    u32(flags, "flags");
    return path1("umount", target, (rt) => (rt.path(target), rt.num(flags)), none);
  },
  readFile(path: PathLike): Spec<Uint8Array> {
    return { op: "readFile", syscall: "open", calls: readFileCalls, path: pathArg(path), enc: (rt) => rt.path(path), dec: (r) => r.bytes() };
  },
  readTextFile(path: PathLike): Spec<string> {
    return {
      op: "readFile",
      syscall: "open",
      calls: readFileCalls,
      path: pathArg(path),
      enc: (rt) => rt.path(path),
      dec: (r) => textDecoder.decode(r.view()),
    };
  },
  writeFile(path: PathLike, data: Data, options?: WriteFileOptions | Encoding | null): Spec<void> {
    const o = normalize("writeFile", options);
    const opts = o as WriteFileOptions;
    const enc = encodingOf("writeFile", o);
    const b = typeof data === "string" && enc !== undefined && enc !== "buffer" ? encode(data, enc) : bytesOf(data);
    const flags = opts.flag !== undefined ? openFlags(opts.flag) : O_WRONLY | O_CREAT | (opts.append ? O_APPEND : O_TRUNC);
    const mode = u32(opts.mode ?? 0o666, "mode");
    return { op: "writeFile", syscall: "open", calls: writeFileCalls, path: pathArg(path), enc: (rt) => (rt.path(path), rt.bytes(b), rt.num(flags), rt.num(mode)), dec: none };
  },
  fsync(fd: number): Spec<void> {
    int(fd, "fd");
    return { op: "fsync", syscall: "fsync", enc: (rt) => rt.num(fd), dec: none };
  },
  sync(): Spec<void> {
    return { op: "sync", syscall: "sync", enc: none, dec: none };
  },
  access(path: PathLike, mode = 0): Spec<void> {
    u32(mode, "mode");
    return path1("access", path, (rt) => (rt.path(path), rt.num(mode)), none);
  },
  chdir(path: PathLike): Spec<void> {
    return path1("chdir", path, (rt) => rt.path(path), none);
  },
  getcwd(): Spec<string> {
    return { op: "getcwd", syscall: "getcwd", enc: none, dec: (r) => r.str() };
  },
  utimes(path: PathLike, atime: TimeArg, mtime: TimeArg, flags = 0): Spec<void> {
    u32(flags, "flags");
    const a = timeNs(atime);
    const m = timeNs(mtime);
    // UTIME_NOW and UTIME_OMIT go as -1 and -2 in two's complement; a
    // time is at most MAX_TIME_NS, so it never reaches them.
    // Node names utimesSync's call "utime", lutimesSync's "lutime".
    return { op: "utimes", syscall: flags & AT_SYMLINK_NOFOLLOW ? "lutime" : "utime", path: pathArg(path), enc: (rt) => (rt.path(path), rt.u64(BigInt.asUintN(64, a)), rt.u64(BigInt.asUintN(64, m)), rt.num(flags)), dec: none };
  },
};
