// The trace schema "vfscope.trace/2" (docs/trace-schema.md) as TypeScript
// types: the events subscribe() delivers and what snapshot() returns.

/** The kinds of events. */
export type TraceKind =
  | "dentry.alloc" | "dentry.hash" | "dentry.unhash" | "dentry.lru_add" | "dentry.lru_del"
  | "dentry.negative" | "dentry.instantiate" | "dentry.move" | "dentry.kill" | "dentry.count"
  | "dentry.mounted"
  | "inode.alloc" | "inode.state" | "inode.count" | "inode.evict" | "inode.size" | "inode.nlink"
  | "page.add" | "page.flag_set" | "page.flag_clear" | "page.remove"
  | "writeback.start" | "writeback.end"
  | "lock.request" | "lock.acquire" | "lock.release" | "lock.contend"
  | "method.enter" | "method.exit" | "sys.enter" | "sys.exit"
  | "mount" | "umount" | "mount.change" | "report" | "lost";

/** A lock a task holds (an entry of lockdep's held-lock stack). */
export interface HeldLock {
  class: string;
  sub?: number;
  mode: string;
  lock?: number;
  site?: string;
  try?: boolean;
}

export interface ValidatorReport {
  type: string;
  task: string;
  text: string;
}

/**
 * One state change. One flat shape serves every kind; each kind fills the
 * fields the schema lists for it, the others are absent.
 */
export interface TraceEvent {
  seq: number;
  /** Nanoseconds since the VFS's bus started. */
  time: number;
  kind: TraceKind;
  task?: number;
  dentry?: number;
  parent?: number;
  target?: number;
  name?: string;
  /** The name's bytes (base64), present only when they are not valid UTF-8 (`name` then shows U+FFFD). */
  name_b64?: string;
  bucket?: number;
  inode?: number;
  ino?: number;
  dev?: number;
  mode?: number;
  nlink?: number;
  /** i_size of an inode event (absent: 0); "inode.size" reports each change. */
  size?: number;
  index?: number;
  flags?: number;
  bits?: number;
  /**
   * d_count of a dentry event, i_count of an inode event (absent: 0), as
   * at this event: "dentry.count" and "inode.count" report each change.
   */
  count?: number;
  class?: string;
  sub?: number;
  lock_mode?: string;
  lock?: number;
  site?: string;
  /**
   * The system call or method; "set"/"clear" for "inode.state";
   * "unused"/"used" for an "inode.count" that fell to 0 (the inode stays
   * cached) or rose from 0.
   */
  op?: string;
  path?: string;
  /** The path's bytes (base64), present only when they are not valid UTF-8. */
  path_b64?: string;
  mount?: number;
  /** Linux errno of a call's exit, absent for success. */
  err?: number;
  held?: HeldLock[];
  report?: ValidatorReport;
  /** For "lost": how many events were dropped; take a snapshot. */
  lost?: number;
}

export interface DentrySnap {
  id: number;
  name: string;
  /** The name's bytes (base64), present only when they are not valid UTF-8 (`name` then shows U+FFFD). */
  name_b64?: string;

  parent: number;
  dev: number;
  inode?: number;
  ino?: number;
  count: number;
  flags: number;
  hashed: boolean;
  lru: boolean;
  bucket: number;
  mountpoint?: boolean;
}

export interface InodeSnap {
  id: number;
  dev: number;
  ino: number;
  count: number;
  nlink: number;
  state: number;
  size: number;
  mode: number;
  rwsem_writer?: number;
  rwsem_readers?: number;
  lru?: boolean;
}

export interface MappingSnap {
  inode: number;
  dev: number;
  ino: number;
  pages: { index: number; flags: number }[];
}

export interface TaskSnap {
  pid: number;
  comm: string;
  held: HeldLock[];
}

export interface MountSnap {
  id: number;
  parent: number;
  dev: number;
  fstype: string;
  source: string;
  /** The source's bytes (base64), present only when they are not valid UTF-8. */
  source_b64?: string;
  root: number;
  mountpoint: number;
  path: string;
  /** The path's bytes (base64), present only when they are not valid UTF-8. */
  path_b64?: string;
  flags: number;
}

/** The whole state of a VFS: apply events with a greater seq on top of it. */
export interface Snapshot {
  schema: string;
  seq: number;
  time: number;
  dentries: DentrySnap[];
  hash: { buckets: number; chains: { bucket: number; dentries: number[] }[] };
  lru: { dev: number; dentries: number[] }[];
  inodes: InodeSnap[];
  pages: MappingSnap[];
  tasks: TaskSnap[];
  mounts: MountSnap[];
  reports: ValidatorReport[];
  counters: {
    nr_dentry: number;
    nr_unused: number;
    nr_negative: number;
    nr_inodes: number;
    nr_free_inodes: number;
    meminfo?: Record<string, number>;
  };
}
