import { DT_BLK, DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from "./constants.js";
import { BridgeError, type Reader } from "./runtime.js";

// The bridge's stat result (wasm/bridge putStat): 19 float64 numbers,
// dev ino mode nlink uid gid rdev size blksize blocks mntId, then atime,
// mtime, ctime and btime each as seconds and nanoseconds.
const STAT_BYTES = 19 * 8;

/** Exact nanoseconds from seconds and the nanoseconds past them. */
function ns(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/** What stat(2) returns (struct statx's fields the VFS fills). */
export class Stats {
  dev = 0;
  ino = 0;
  /** File type and permission bits (S_IF* | mode). */
  mode = 0;
  nlink = 0;
  uid = 0;
  gid = 0;
  rdev = 0;
  size = 0;
  blksize = 0;
  /** 512-byte blocks allocated. */
  blocks = 0;
  /** The mount's id, as in /proc/self/mountinfo. */
  mntId = 0;
  // The times as seconds since the epoch and nanoseconds past them: the
  // bigint nanoseconds are made when asked for, as most callers never do.
  private aSec = 0;
  private aNsec = 0;
  private mSec = 0;
  private mNsec = 0;
  private cSec = 0;
  private cNsec = 0;
  private bSec = 0;
  private bNsec = 0;

  /** Times in nanoseconds since the epoch, exact. */
  get atimeNs(): bigint {
    return ns(this.aSec, this.aNsec);
  }
  get mtimeNs(): bigint {
    return ns(this.mSec, this.mNsec);
  }
  get ctimeNs(): bigint {
    return ns(this.cSec, this.cNsec);
  }
  get birthtimeNs(): bigint {
    return ns(this.bSec, this.bNsec);
  }
  get atimeMs(): number {
    return this.aSec * 1e3 + this.aNsec / 1e6;
  }
  get mtimeMs(): number {
    return this.mSec * 1e3 + this.mNsec / 1e6;
  }
  get ctimeMs(): number {
    return this.cSec * 1e3 + this.cNsec / 1e6;
  }
  get birthtimeMs(): number {
    return this.bSec * 1e3 + this.bNsec / 1e6;
  }
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }
  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }

  /** @internal Decodes the bridge's stat result. */
  static read(r: Reader): Stats {
    const p = r.skip(STAT_BYTES);
    const dv = r.dv;
    const s = new Stats();
    s.dev = dv.getFloat64(p, true);
    s.ino = dv.getFloat64(p + 8, true);
    s.mode = dv.getFloat64(p + 16, true);
    s.nlink = dv.getFloat64(p + 24, true);
    s.uid = dv.getFloat64(p + 32, true);
    s.gid = dv.getFloat64(p + 40, true);
    s.rdev = dv.getFloat64(p + 48, true);
    s.size = dv.getFloat64(p + 56, true);
    s.blksize = dv.getFloat64(p + 64, true);
    s.blocks = dv.getFloat64(p + 72, true);
    s.mntId = dv.getFloat64(p + 80, true);
    s.aSec = dv.getFloat64(p + 88, true);
    s.aNsec = dv.getFloat64(p + 96, true);
    s.mSec = dv.getFloat64(p + 104, true);
    s.mNsec = dv.getFloat64(p + 112, true);
    s.cSec = dv.getFloat64(p + 120, true);
    s.cNsec = dv.getFloat64(p + 128, true);
    s.bSec = dv.getFloat64(p + 136, true);
    s.bNsec = dv.getFloat64(p + 144, true);
    return s;
  }
}

/**
 * @internal Decodes the bridge's readdir result: the count, the types
 * (a byte each), the inode numbers (a float64 each) and the names joined
 * by NUL, which no name contains. The names take one UTF-8 decode and
 * one split however many there are.
 */
export function readNames(r: Reader): string[] {
  const n = r.u32();
  r.view();
  r.view();
  return splitNames(r.text(), n);
}

/** @internal readNames, with the types and inode numbers: DirEntry objects. */
export function readDirEntries(r: Reader): DirEntry[] {
  const n = r.u32();
  const types = r.view();
  const inos = r.view();
  const names = splitNames(r.text(), n);
  if (types.length !== n || inos.length !== 8 * n) throw new BridgeError("vfscope bridge: readdir result of the wrong size");
  const dv = r.dv;
  const at = inos.byteOffset;
  const out: DirEntry[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = new DirEntry(names[i], dv.getFloat64(at + 8 * i, true), types[i]);
  return out;
}

/**
 * @internal readNames without decoding: each name as its bytes (a copy),
 * for names that are not valid UTF-8.
 */
export function readRawNames(r: Reader): Uint8Array[] {
  const n = r.u32();
  r.view();
  r.view();
  const blob = r.view();
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= blob.length && n > 0; i++) {
    if (i === blob.length || blob[i] === 0) {
      out.push(blob.slice(start, i));
      start = i + 1;
    }
  }
  if (out.length !== n) throw new BridgeError(`vfscope bridge: readdir result has ${out.length} names for ${n} entries`);
  return out;
}

function splitNames(blob: string, n: number): string[] {
  const names = n === 0 ? [] : blob.split("\0");
  if (names.length !== n) throw new BridgeError(`vfscope bridge: readdir result has ${names.length} names for ${n} entries`);
  return names;
}

/** One directory entry (getdents64's linux_dirent64). */
export class DirEntry {
  constructor(
    readonly name: string,
    readonly ino: number,
    /** DT_* */
    readonly type: number,
  ) {}
  isFile(): boolean {
    return this.type === DT_REG;
  }
  isDirectory(): boolean {
    return this.type === DT_DIR;
  }
  isSymbolicLink(): boolean {
    return this.type === DT_LNK;
  }
  isCharacterDevice(): boolean {
    return this.type === DT_CHR;
  }
  isBlockDevice(): boolean {
    return this.type === DT_BLK;
  }
  isFIFO(): boolean {
    return this.type === DT_FIFO;
  }
  isSocket(): boolean {
    return this.type === DT_SOCK;
  }
}
