// The trace schema vfscope.trace/2 (docs/trace-schema.md; Go types in
// vfs/trace). Events and snapshots arrive in this shape from the wasm
// build and from the live websocket alike. What the views add on top:
// the flag words' bits, names and a one-line description of an event.

import type { HeldLock, Snapshot, TraceEvent } from '@vfscope/web';

/** The schema version this page speaks (a live server must say the same). */
export const SCHEMA = 'vfscope.trace/2';

// The types are the library's (web/src/trace.ts), so the page, the wasm
// build and the live websocket agree on one definition.
export type {
  DentrySnap, HeldLock, InodeSnap, MappingSnap, MountSnap, Snapshot, TaskSnap, TraceEvent, ValidatorReport,
} from '@vfscope/web';

/** A lock on a task's held stack. */
export type Held = HeldLock;

/** The /proc counters of a snapshot (dentry-state, inode-nr, meminfo). */
export type Counters = Snapshot['counters'];

// Flag words (docs/trace-schema.md, "Flag words").
export const DCACHE_LRU_LIST = 0x80000;
export const DCACHE_MOUNTED = 0x10000;
export const DCACHE_HASHED = 0x10000000;

export const PG = {
  locked: 1,
  waiters: 2,
  uptodate: 4,
  dirty: 8,
  writeback: 16,
  private: 32,
  referenced: 64,
  active: 128,
  lru: 256,
  reclaim: 512,
  swapbacked: 1024,
  error: 2048,
} as const;

export const I_STATE: [number, string][] = [
  [1, 'I_DIRTY_SYNC'],
  [2, 'I_DIRTY_DATASYNC'],
  [4, 'I_DIRTY_PAGES'],
  [8, 'I_NEW'],
  [16, 'I_WILL_FREE'],
  [32, 'I_FREEING'],
  [64, 'I_CLEAR'],
  [256, 'I_REFERENCED'],
  [2048, 'I_DIRTY_TIME'],
];

export function inodeStateNames(state: number): string[] {
  return I_STATE.filter(([bit]) => state & bit).map(([, n]) => n);
}

/** The state a page is drawn in: the most telling of its flags. */
export type PageState = 'absent' | 'locked' | 'writeback' | 'dirty' | 'uptodate' | 'cached';

/**
 * A page under writeback is drawn as such even while ->writepage still
 * holds it locked: writeback is what the page-cache lessons look for.
 */
export function pageState(flags: number | undefined): PageState {
  if (flags === undefined) return 'absent';
  if (flags & PG.writeback) return 'writeback';
  if (flags & PG.locked) return 'locked';
  if (flags & PG.dirty) return 'dirty';
  if (flags & PG.uptodate) return 'uptodate';
  return 'cached';
}

export function fileType(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000: return 'dir';
    case 0o100000: return 'file';
    case 0o120000: return 'symlink';
    case 0o020000: return 'chr';
    case 0o060000: return 'blk';
    case 0o010000: return 'fifo';
    case 0o140000: return 'sock';
  }
  return '?';
}

/** One line describing an event, for the timeline. */
export function describe(e: TraceEvent): string {
  const who = e.task ? `task ${e.task}: ` : '';
  switch (e.kind.split('.')[0]) {
    case 'dentry':
      return `${who}${e.kind} "${e.name ?? ''}" #${e.dentry}${e.inode ? ` → inode ${e.inode}` : ''}${e.bucket ? ` bucket ${e.bucket}` : ''}${e.kind === 'dentry.count' ? ` d_count ${e.count ?? 0}` : ''}`;
    case 'inode':
      return `${who}${e.kind} inode ${e.inode} (ino ${e.ino})${e.count !== undefined || e.kind === 'inode.count' ? ` i_count ${e.count ?? 0}` : ''}${e.kind === 'inode.size' ? ` i_size ${e.size ?? 0}` : ''}${e.op ? ` ${e.op}` : ''}`;
    case 'page':
      return `${who}${e.kind} inode ${e.inode} page ${e.index ?? 0} [${pageState(e.flags ?? 0)}]`;
    case 'writeback':
      return `${who}${e.kind} inode ${e.inode}${e.op ? ` ${e.op}` : ''}${e.count ? ` ${e.count} pages` : ''}`;
    case 'lock':
      return `${who}${e.kind} ${e.class}${e.sub ? `/${e.sub}` : ''} ${e.lock_mode ?? ''}${e.site ? ` at ${e.site}` : ''}`;
    case 'method':
      return `${who}${e.kind} ${e.op}${e.held?.length ? ` holding ${e.held.map((h) => h.class).join(', ')}` : ''}`;
    case 'sys':
      return `${who}${e.kind} ${e.op}`;
    case 'report':
      return `${who}REPORT ${e.report?.type ?? ''}`;
    case 'lost':
      return `${e.lost ?? 'some'} events lost here: the views miss what they did until the command's end`;
  }
  return `${who}${e.kind}${e.path ? ` ${e.path}` : ''}`;
}
